using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

/// <summary>Limits on what ingestion accepts; bound from <c>Fleet:Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Fleet:Ingestion";

    /// <summary>Request bodies larger than this are refused with 413.</summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Events stamped further than this in the future (by the server's clock) are rejected.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>No event may carry more values than this.</summary>
    public int MaxFeatures { get; set; } = 1024;

    /// <summary>
    /// One grain call per event instead of one per device per batch. Slower by design: it exists to measure the
    /// naive baseline of the <c>ingest</c> load test (load-tests/README.md); leave it off.
    /// </summary>
    public bool CallPerEvent { get; set; }
}

public sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions o)
    {
        var failures = new List<string>();
        if (o.MaxBodyBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            failures.Add($"{IngestionOptions.Section}:MaxBodyBytes must be between 1 KiB and 1 GiB (was {o.MaxBodyBytes}).");
        }

        if (o.MaxFutureSkew < TimeSpan.Zero)
        {
            failures.Add($"{IngestionOptions.Section}:MaxFutureSkew must not be negative (was {o.MaxFutureSkew}).");
        }

        if (o.MaxFeatures < 1)
        {
            failures.Add($"{IngestionOptions.Section}:MaxFeatures must be at least 1 (was {o.MaxFeatures}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
