using System.Text.Json;
using FleetGrains.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

public static class DeviceEndpoints
{
    private const int MaxThresholdBodyBytes = 4096;

    public static RouteGroupBuilder MapDeviceEndpoints(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices/{fleetId}/{deviceId}").WithTags("Devices");
        devices.MapGet("/", GetDeviceAsync).WithName("GetDevice").WithSummary("A device's health, score, threshold, contributors and counters");
        devices.MapGet("/telemetry", GetTelemetryAsync).WithName("GetDeviceTelemetry").WithSummary("A device's rolling window, oldest sample first");
        devices.MapPut("/threshold", PutThresholdAsync)
            .WithName("PinDeviceThreshold")
            .WithSummary("Pin the device's threshold ({\"value\": 3.5}) or return to the learned one ({\"value\": null})")
            .Accepts<ThresholdRequest>("application/json");
        return api;
    }

    public static async Task<Results<Ok<DeviceSnapshot>, ProblemHttpResult, ValidationProblem>> GetDeviceAsync(
        string fleetId, string deviceId, IGrainFactory grains)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        var snapshot = await Device(grains, fleetId, deviceId).GetSnapshotAsync();
        return snapshot is null ? ApiProblems.UnknownDevice(fleetId, deviceId) : TypedResults.Ok(snapshot);
    }

    public static async Task<Results<Ok<TelemetryWindow>, ProblemHttpResult, ValidationProblem>> GetTelemetryAsync(
        string fleetId, string deviceId, IGrainFactory grains)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        var window = await Device(grains, fleetId, deviceId).GetWindowAsync();
        return window is null ? ApiProblems.UnknownDevice(fleetId, deviceId) : TypedResults.Ok(window);
    }

    public static async Task<Results<Ok<DeviceSnapshot>, ProblemHttpResult, ValidationProblem>> PutThresholdAsync(
        string fleetId, string deviceId, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        var body = await RequestBody.ReadAsync(request, MaxThresholdBodyBytes, cancellationToken);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"A threshold request is at most {MaxThresholdBodyBytes} bytes.");
        }

        ThresholdRequest? threshold;
        try
        {
            threshold = JsonSerializer.Deserialize<ThresholdRequest>(body, json.Value.SerializerOptions);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON",
                detail: $"Send {{\"value\": <positive number>}} to pin or {{\"value\": null}} to unpin. {ex.Message}");
        }

        if (threshold is null)
        {
            return ApiProblems.Invalid("value", "Send {\"value\": <positive number>} to pin or {\"value\": null} to unpin.");
        }

        if (threshold.Value is { } value && !(value > 0 && float.IsFinite(value)))
        {
            return ApiProblems.Invalid("value", $"A pinned threshold must be a positive finite number, got {value}.");
        }

        var snapshot = await Device(grains, fleetId, deviceId).PinThresholdAsync(threshold.Value);
        return snapshot is null ? ApiProblems.UnknownDevice(fleetId, deviceId) : TypedResults.Ok(snapshot);
    }

    private static IDeviceGrain Device(IGrainFactory grains, string fleetId, string deviceId) =>
        grains.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, deviceId));
}
