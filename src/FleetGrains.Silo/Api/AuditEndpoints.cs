using FleetGrains.Ingestion;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleetGrains.Silo.Api;

/// <summary>The audit log: all of it for admins of every fleet, a fleet's own for its operators.</summary>
public static class AuditEndpoints
{
    public const int MaxCount = 10_000;

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", GetAllAsync).RequireAuthorization(FleetPolicies.ClusterAdmin).WithTags("Audit").WithName("GetAuditLog")
            .WithSummary("The newest state-changing actions of every fleet and of the cluster (keys), newest first; ?fleetId=, ?deviceId=, ?count= narrow it");
        api.MapGet("/fleets/{fleetId}/audit", GetFleetAsync).RequireAuthorization(FleetPolicies.Operator).WithTags("Audit").WithName("GetFleetAuditLog")
            .WithSummary("The newest state-changing actions on one fleet, newest first; ?deviceId=, ?count= narrow it");
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> GetAllAsync(IAuditLog log, string? fleetId, string? deviceId, int? count) =>
        await ReadAsync(log, fleetId, deviceId, count);

    public static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> GetFleetAsync(IAuditLog log, string fleetId, string? deviceId, int? count) =>
        await ReadAsync(log, fleetId, deviceId, count);

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> ReadAsync(IAuditLog log, string? fleetId, string? deviceId, int? count)
    {
        var wanted = count ?? 100;
        if (wanted is < 1 or > MaxCount)
        {
            return ApiProblems.Invalid("count", $"count must be between 1 and {MaxCount} (was {wanted}).");
        }

        if (fleetId is not null && ApiProblems.CheckIds(fleetId) is { } invalidFleet)
        {
            return invalidFleet;
        }

        if (deviceId is not null && !TelemetryValidator.IsValidId(deviceId))
        {
            return ApiProblems.Invalid("deviceId", $"'{deviceId}' is not a valid device id.");
        }

        return TypedResults.Ok(await log.ReadAsync(fleetId, deviceId, wanted));
    }
}
