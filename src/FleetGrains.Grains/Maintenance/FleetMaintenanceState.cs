namespace FleetGrains.Grains.Maintenance;

/// <summary>A fleet's maintenance plan as persisted.</summary>
[GenerateSerializer]
public sealed class FleetMaintenanceState
{
    [Id(0)]
    public MaintenancePlanner Planner { get; set; } = new();
}
