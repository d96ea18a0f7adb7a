using FleetGrains.Abstractions;
using FleetGrains.Ingestion;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleetGrains.Silo.Api;

/// <summary>A fleet's maintenance plan from its devices' RUL predictions, and completing work orders.</summary>
public static class MaintenanceEndpoints
{
    public static RouteGroupBuilder MapMaintenanceEndpoints(this RouteGroupBuilder api)
    {
        var maintenance = api.MapGroup("/fleets/{fleetId}/maintenance").WithTags("Maintenance");
        maintenance.MapGet("/", GetPlanAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetMaintenancePlan").WithSummary("Open work orders by priority, with their days at the fleet's daily capacity, and recently completed ones");
        maintenance.MapPost("/{workOrderId}/complete", CompleteAsync).RequireAuthorization(FleetPolicies.Operator).WithName("CompleteWorkOrder").WithSummary("Mark a work order done; resets the device's degradation tracking");
        return api;
    }

    public static async Task<Results<Ok<MaintenancePlan>, ProblemHttpResult, ValidationProblem>> GetPlanAsync(string fleetId, IGrainFactory grains)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        if (!await grains.GetGrain<IFleetDirectoryGrain>(0).ContainsAsync(fleetId))
        {
            return ApiProblems.UnknownFleet(fleetId);
        }

        return TypedResults.Ok(await grains.GetGrain<IFleetMaintenanceGrain>(fleetId).GetPlanAsync());
    }

    public static async Task<Results<Ok<WorkOrder>, ProblemHttpResult, ValidationProblem>> CompleteAsync(
        string fleetId, string workOrderId, HttpContext http, IGrainFactory grains, AuditTrail audit)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        if (!TelemetryValidator.IsValidId(workOrderId))
        {
            return ApiProblems.Invalid("workOrderId", $"'{workOrderId}' is not a work order id.");
        }

        var maintenance = grains.GetGrain<IFleetMaintenanceGrain>(fleetId);
        var before = (await maintenance.GetPlanAsync()).Open.FirstOrDefault(o => o.Id == workOrderId);
        var done = await maintenance.CompleteAsync(workOrderId);
        if (done is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown work order", detail: $"Fleet '{fleetId}' has no work order '{workOrderId}'.");
        }

        if (before is not null)
        {
            await audit.RecordAsync(http, fleetId, done.DeviceId, workOrderId, before, done);
        }

        return TypedResults.Ok(done);
    }
}
