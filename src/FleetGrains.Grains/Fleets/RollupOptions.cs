using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Fleets;

/// <summary>How fleets are sharded and rolled up; bound from <c>Fleet:Rollup</c>.</summary>
public sealed class RollupOptions
{
    public const string Section = "Fleet:Rollup";

    /// <summary>
    /// Shard grains per fleet. Devices are spread over them by a stable hash of the device id, so this
    /// is fixed for the life of a deployment's stored state.
    /// </summary>
    public int ShardsPerFleet { get; set; } = 8;

    /// <summary>The N worst devices a rollup lists.</summary>
    public int WorstDevices { get; set; } = 10;

    /// <summary>At most this many Offline devices are listed by name in a rollup (all are counted).</summary>
    public int MaxOfflineListed { get; set; } = 100;

    /// <summary>How often a shard sweeps for Offline devices and sends its summary if it changed.</summary>
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A shard re-sends an unchanged summary this often, so the fleet's "last updated" stays honest.</summary>
    public TimeSpan SummaryRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a shard with changes writes its device list.</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class RollupOptionsValidator : IValidateOptions<RollupOptions>
{
    public ValidateOptionsResult Validate(string? name, RollupOptions o)
    {
        var failures = new List<string>();
        if (o.ShardsPerFleet is < 1 or > 4096)
        {
            failures.Add($"{RollupOptions.Section}:ShardsPerFleet must be between 1 and 4096 (was {o.ShardsPerFleet}).");
        }

        if (o.WorstDevices < 1 || o.MaxOfflineListed < 0)
        {
            failures.Add($"{RollupOptions.Section}:WorstDevices must be at least 1 and MaxOfflineListed not negative.");
        }

        if (o.SummaryInterval <= TimeSpan.Zero || o.SummaryRefreshInterval <= TimeSpan.Zero || o.PersistInterval <= TimeSpan.Zero)
        {
            failures.Add($"{RollupOptions.Section}: SummaryInterval, SummaryRefreshInterval and PersistInterval must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
