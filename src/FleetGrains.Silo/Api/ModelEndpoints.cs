using FleetGrains.Abstractions;
using FleetGrains.Grains.Models;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>The model registry: which models a fleet's devices are scored with, switched at runtime.</summary>
public static class ModelEndpoints
{
    private const int MaxBodyBytes = 4096;
    private const string Usage = "Send {\"anomaly\": \"<id>@<version>\" or null, \"rul\": \"<id>@<version>\" or null}.";

    public static RouteGroupBuilder MapModelEndpoints(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/fleets/{fleetId}/models").WithTags("Models");
        models.MapGet("/", GetModelsAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetFleetModels").WithSummary("The anomaly and RUL models a fleet's devices are scored with");
        models.MapPut("/", PutModelsAsync)
            .RequireAuthorization(FleetPolicies.FleetAdmin)
            .WithName("AssignFleetModels")
            .WithSummary("Switch a fleet to other model versions without a restart; devices keep their windows and learn new thresholds")
            .Accepts<ModelAssignmentRequest>("application/json");
        return api;
    }

    public static async Task<Results<Ok<FleetModelAssignment>, ValidationProblem>> GetModelsAsync(string fleetId, IGrainFactory grains) =>
        ApiProblems.CheckIds(fleetId) is { } invalid
            ? invalid
            : TypedResults.Ok(await grains.GetGrain<IFleetModelsGrain>(fleetId).GetAsync());

    public static async Task<Results<Ok<FleetModelAssignment>, ProblemHttpResult, ValidationProblem>> PutModelsAsync(
        string fleetId,
        HttpContext http,
        IGrainFactory grains,
        FleetModelCache cache,
        AuditTrail audit,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await JsonBody.ReadAsync<ModelAssignmentRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body is null)
        {
            return ApiProblems.Invalid("anomaly", Usage);
        }

        var errors = new Dictionary<string, string[]>();
        var anomaly = ParseKey(body.Anomaly, "anomaly", errors);
        var rul = ParseKey(body.Rul, "rul", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var models = grains.GetGrain<IFleetModelsGrain>(fleetId);
            var before = await models.GetAsync();
            var assignment = await models.AssignAsync(anomaly, rul);
            cache.Invalidate(fleetId);
            await audit.RecordAsync(http, fleetId, null, null, before, assignment);
            return TypedResults.Ok(assignment);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Model not usable", detail: ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model could not be loaded",
                detail: $"No model host answered ({ex.Message}). Is a silo with Fleet:Cluster:HostsModels=true running?");
        }
    }

    private static ModelRef? ParseKey(string? key, string field, Dictionary<string, string[]> errors)
    {
        if (key is null)
        {
            return null;
        }

        try
        {
            return ModelRef.Parse(key);
        }
        catch (FormatException ex)
        {
            errors[field] = [ex.Message];
            return null;
        }
    }
}
