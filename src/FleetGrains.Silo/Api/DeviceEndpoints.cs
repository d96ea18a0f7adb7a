using FleetGrains.Abstractions;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

public static class DeviceEndpoints
{
    private const int MaxBodyBytes = 4096;

    public static RouteGroupBuilder MapDeviceEndpoints(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices/{fleetId}/{deviceId}").WithTags("Devices");
        devices.MapGet("/", GetDeviceAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetDevice").WithSummary("A device's health, score, threshold, contributors and counters");
        devices.MapGet("/live", FollowDevice).RequireAuthorization(FleetPolicies.Viewer).WithName("FollowDevice").WithSummary("The device's snapshot as server-sent events (event 'device'): sent when it changes, and at least every Fleet:Api:LiveHeartbeat");
        devices.MapGet("/telemetry", GetTelemetryAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetDeviceTelemetry").WithSummary("A device's rolling window, oldest sample first");
        devices.MapGet("/scores", GetScoresAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetDeviceScores").WithSummary("A device's recent scorings (anomaly score, threshold, RUL) of samples after ?after=<seq>, oldest first");
        devices.MapPut("/threshold", PutThresholdAsync)
            .RequireAuthorization(FleetPolicies.Operator)
            .WithName("PinDeviceThreshold")
            .WithSummary("Pin the device's threshold ({\"value\": 3.5}) or return to the learned one ({\"value\": null})")
            .Accepts<ThresholdRequest>("application/json");
        devices.MapPost("/feedback", PostFeedbackAsync)
            .RequireAuthorization(FleetPolicies.Operator)
            .WithName("PostDeviceFeedback")
            .WithSummary("Operator feedback on the device's latest alarm ({\"kind\": \"false-positive\"}): raises its learned threshold, within a bound")
            .Accepts<FeedbackRequest>("application/json");
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

    public static async Task<Results<ServerSentEventsResult<DeviceSnapshot>, ProblemHttpResult, ValidationProblem>> FollowDevice(
        string fleetId, string deviceId, IGrainFactory grains, IOptions<ApiOptions> options, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        var device = Device(grains, fleetId, deviceId);
        if (await device.GetSnapshotAsync() is null)
        {
            return ApiProblems.UnknownDevice(fleetId, deviceId);
        }

        return TypedResults.ServerSentEvents(LiveFeed.FollowAsync(
            device.GetSnapshotAsync, "device", options.Value, json.Value.SerializerOptions, time, cancellationToken));
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

    public static async Task<Results<Ok<DeviceScoreHistory>, ProblemHttpResult, ValidationProblem>> GetScoresAsync(
        string fleetId, string deviceId, IGrainFactory grains, long after = -1)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        if (after < -1)
        {
            return ApiProblems.Invalid("after", $"after must be a sequence number ≥ -1 (-1: every kept scoring); got {after}.");
        }

        var history = await Device(grains, fleetId, deviceId).GetScoresAsync(after);
        return history is null ? ApiProblems.UnknownDevice(fleetId, deviceId) : TypedResults.Ok(history);
    }

    public static async Task<Results<Ok<DeviceSnapshot>, ProblemHttpResult, ValidationProblem>> PutThresholdAsync(
        string fleetId, string deviceId, HttpContext http, IGrainFactory grains, AuditTrail audit, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        const string Usage = "Send {\"value\": <positive number>} to pin or {\"value\": null} to unpin.";
        var (threshold, problem) = await JsonBody.ReadAsync<ThresholdRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (threshold is null)
        {
            return ApiProblems.Invalid("value", Usage);
        }

        if (threshold.Value is { } value && !(value > 0 && float.IsFinite(value)))
        {
            return ApiProblems.Invalid("value", $"A pinned threshold must be a positive finite number, got {value}.");
        }

        var device = Device(grains, fleetId, deviceId);
        var before = await device.GetSnapshotAsync();
        var snapshot = before is null ? null : await device.PinThresholdAsync(threshold.Value);
        if (snapshot is null)
        {
            return ApiProblems.UnknownDevice(fleetId, deviceId);
        }

        await audit.RecordAsync(http, fleetId, deviceId, null, before!.Threshold, snapshot.Threshold);
        return TypedResults.Ok(snapshot);
    }

    public static async Task<Results<Ok<FeedbackOutcome>, ProblemHttpResult, ValidationProblem>> PostFeedbackAsync(
        string fleetId, string deviceId, HttpContext http, IGrainFactory grains, AuditTrail audit, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        const string Usage = "Send {\"kind\": \"false-positive\"}.";
        var (feedback, problem) = await JsonBody.ReadAsync<FeedbackRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (feedback?.Kind is not "false-positive")
        {
            return ApiProblems.Invalid("kind", $"'{feedback?.Kind}' is not a kind of feedback. {Usage}");
        }

        var outcome = await Device(grains, fleetId, deviceId).FeedbackAsync(ThresholdFeedback.FalsePositive);
        if (outcome is null)
        {
            return ApiProblems.UnknownDevice(fleetId, deviceId);
        }

        if (outcome.Refusal is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Threshold not changed", detail: refusal);
        }

        await audit.RecordAsync(http, fleetId, deviceId, feedback.Kind, new { learned = outcome.LearnedBefore }, new { learned = outcome.LearnedAfter });
        return TypedResults.Ok(outcome);
    }

    private static IDeviceGrain Device(IGrainFactory grains, string fleetId, string deviceId) =>
        grains.GetGrainFast<IDeviceGrain>(FleetKeys.Device(fleetId, deviceId));
}
