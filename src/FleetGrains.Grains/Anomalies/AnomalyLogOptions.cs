using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Anomalies;

/// <summary>How many anomaly events each fleet keeps, and how often it saves them; bound from <c>Fleet:Anomalies</c>.</summary>
public sealed class AnomalyLogOptions
{
    public const string Section = "Fleet:Anomalies";

    /// <summary>The newest this-many events of each fleet are kept; older ones are dropped.</summary>
    public int MaxEventsPerFleet { get; set; } = 10_000;

    /// <summary>How often a fleet's log with new events is written.</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class AnomalyLogOptionsValidator : IValidateOptions<AnomalyLogOptions>
{
    public ValidateOptionsResult Validate(string? name, AnomalyLogOptions o) =>
        o.MaxEventsPerFleet is < 1 or > 1_000_000 || o.PersistInterval <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"{AnomalyLogOptions.Section}: MaxEventsPerFleet must be between 1 and 1000000 and PersistInterval positive (were {o.MaxEventsPerFleet}, {o.PersistInterval}).")
            : ValidateOptionsResult.Success;
}
