using FleetGrains.Abstractions;
using FleetGrains.Ingestion;
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

    public static async Task<Results<Ok<WorkOrder>, ProblemHttpResult, ValidationProblem>> CompleteAsync(string fleetId, string workOrderId, IGrainFactory grains)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        if (!TelemetryValidator.IsValidId(workOrderId))
        {
            return ApiProblems.Invalid("workOrderId", $"'{workOrderId}' is not a work order id.");
        }

        var done = await grains.GetGrain<IFleetMaintenanceGrain>(fleetId).CompleteAsync(workOrderId);
        return done is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown work order", detail: $"Fleet '{fleetId}' has no work order '{workOrderId}'.")
            : TypedResults.Ok(done);
    }
}
