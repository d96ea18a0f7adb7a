using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Maintenance;

/// <summary>How fleets plan maintenance from RUL predictions; bound from <c>Fleet:Maintenance</c>.</summary>
public sealed class MaintenanceOptions
{
    public const string Section = "Fleet:Maintenance";

    /// <summary>Work orders a fleet's crew can complete per day, unless the fleet says otherwise.</summary>
    public int DailyCapacity { get; set; } = 10;

    /// <summary>A device whose predicted RUL is at or below this (in the RUL model's unit) gets a work order.</summary>
    public float PlanningHorizon { get; set; } = 30;

    /// <summary>A device within the horizon sends its newest estimate at most this often (and at once when its health changed).</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Completed work orders each fleet keeps for its plan's history.</summary>
    public int KeepCompleted { get; set; } = 100;

    /// <summary>How often a plan with changes is written.</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-fleet overrides, by fleet id.</summary>
    public Dictionary<string, FleetMaintenanceSettings> Fleets { get; set; } = new(StringComparer.Ordinal);

    public int DailyCapacityFor(string fleetId) =>
        Fleets.TryGetValue(fleetId, out var fleet) && fleet.DailyCapacity is { } capacity ? capacity : DailyCapacity;

    public float PlanningHorizonFor(string fleetId) =>
        Fleets.TryGetValue(fleetId, out var fleet) && fleet.PlanningHorizon is { } horizon ? horizon : PlanningHorizon;
}

public sealed class FleetMaintenanceSettings
{
    public int? DailyCapacity { get; set; }

    public float? PlanningHorizon { get; set; }
}

public sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, MaintenanceOptions o)
    {
        var failures = new List<string>();
        if (o.ReportInterval <= TimeSpan.Zero || o.PersistInterval <= TimeSpan.Zero || o.KeepCompleted < 0)
        {
            failures.Add($"{MaintenanceOptions.Section}: ReportInterval and PersistInterval must be positive and KeepCompleted not negative.");
        }

        foreach (var (fleetId, capacity, horizon) in o.Fleets.Select(f => (f.Key, f.Value.DailyCapacity, f.Value.PlanningHorizon)).Prepend(("(default)", o.DailyCapacity, o.PlanningHorizon)))
        {
            if (capacity is < 1)
            {
                failures.Add($"{MaintenanceOptions.Section}: the daily capacity of {fleetId} must be at least 1 (was {capacity}).");
            }

            if (horizon is { } h && !(h > 0 && float.IsFinite(h)))
            {
                failures.Add($"{MaintenanceOptions.Section}: the planning horizon of {fleetId} must be a positive number (was {h}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
