using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Simulation;

/// <summary>The built-in simulated fleet; bound from <c>Fleet:Simulator</c>.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Fleet:Simulator";

    public bool Enabled { get; set; } = true;

    /// <summary>Devices in all, spread round-robin over the fleets.</summary>
    public int Devices { get; set; } = 1000;

    /// <summary>Fleets and their feature counts, as <c>id:features</c> separated by commas.</summary>
    public string Fleets { get; set; } = "pumps:6,turbines:8,compressors:5";

    /// <summary>Each device sends one batch per tick.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Samples per device per tick (the sample period is the tick divided by this).</summary>
    public int SamplesPerTick { get; set; } = 10;

    /// <summary>The period of the simulated daily pattern; compressed so that a demo shows it.</summary>
    public TimeSpan DayLength { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Share of devices that get a fault (spikes, drift, stuck sensor, degradation, outages).</summary>
    public double FaultyFraction { get; set; } = 0.15;

    /// <summary>Faults start between these times after the simulator starts.</summary>
    public TimeSpan FaultOnsetMin { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan FaultOnsetMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The seed of every random choice, so a run can be repeated.</summary>
    public int Seed { get; set; } = 42;

    public IReadOnlyList<(string Id, int Features)> ParseFleets() =>
        Fleets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split(':', StringSplitOptions.TrimEntries))
            .Select(parts => (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
}

public sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions o)
    {
        var failures = new List<string>();
        foreach (var entry in o.Fleets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !Ingestion.TelemetryValidator.IsValidId(parts[0]) || !int.TryParse(parts[1], out var f) || f is < 1 or > 1024)
            {
                failures.Add($"{SimulatorOptions.Section}:Fleets entry '{entry}' is not 'id:features' with a valid id and 1-1024 features.");
            }
        }

        if (o.Fleets.Trim().Length == 0)
        {
            failures.Add($"{SimulatorOptions.Section}:Fleets must name at least one fleet.");
        }

        if (o.Devices < 1 || o.SamplesPerTick < 1 || o.TickInterval <= TimeSpan.Zero || o.DayLength <= TimeSpan.Zero)
        {
            failures.Add($"{SimulatorOptions.Section}: Devices, SamplesPerTick, TickInterval and DayLength must be positive.");
        }

        if (o.FaultyFraction is < 0 or > 1 || o.FaultOnsetMin < TimeSpan.Zero || o.FaultOnsetMax < o.FaultOnsetMin)
        {
            failures.Add($"{SimulatorOptions.Section}: FaultyFraction must be in [0, 1] and 0 ≤ FaultOnsetMin ≤ FaultOnsetMax.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
