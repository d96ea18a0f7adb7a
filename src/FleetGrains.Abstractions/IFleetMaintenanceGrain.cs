using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>The maintenance plan of one fleet (key: fleet id), re-planned whenever a prediction changes.</summary>
[Alias("FleetGrains.IFleetMaintenanceGrain")]
public interface IFleetMaintenanceGrain : IGrainWithStringKey
{
    [Alias("Report"), OneWay]
    Task ReportAsync(RulReport report);

    [Alias("GetPlan")]
    Task<MaintenancePlan> GetPlanAsync();

    /// <summary>
    /// Marks the work order done and resets its device's degradation tracking; answers the completed order
    /// (again, for one completed before), or null when the fleet has no such work order.
    /// </summary>
    [Alias("Complete")]
    Task<WorkOrder?> CompleteAsync(string workOrderId);
}
