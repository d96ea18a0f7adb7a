using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Audit;

/// <summary>How much of the audit log is kept; bound from <c>Fleet:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Fleet:Audit";

    /// <summary>The newest this-many entries of all fleets (and cluster actions such as keys) are kept.</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>The newest this-many entries of each fleet are kept in its own log, whatever the other fleets do.</summary>
    public int MaxEntriesPerFleet { get; set; } = 1_000;

    /// <summary>The Redis stream of all entries; each fleet's log is this key followed by <c>:</c> and the fleet id.</summary>
    public string Stream { get; set; } = "fleetgrains:audit";
}

public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions o)
    {
        var failures = new List<string>();
        if (o.MaxEntries is < 1 or > 1_000_000)
        {
            failures.Add($"{AuditOptions.Section}:MaxEntries must be between 1 and 1000000 (was {o.MaxEntries}).");
        }

        if (o.MaxEntriesPerFleet < 1 || o.MaxEntriesPerFleet > o.MaxEntries)
        {
            failures.Add($"{AuditOptions.Section}:MaxEntriesPerFleet must be between 1 and MaxEntries (was {o.MaxEntriesPerFleet}).");
        }

        if (string.IsNullOrWhiteSpace(o.Stream))
        {
            failures.Add($"{AuditOptions.Section}:Stream must not be empty.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
