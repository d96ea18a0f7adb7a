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

    /// <summary>
    /// Events this silo has in flight at most (sent to their device grains, not yet answered), whatever their source.
    /// Beyond it HTTP ingestion is answered 503 at once and the broker sources wait, so the silo's queues stay short.
    /// Every event in flight may wait for a model's scoring, so the default is what a scoring batcher queues per model
    /// (<c>Fleet:Inference:MaxQueuedRows</c>, 16,384): with more, a burst was applied but up to a third of its samples
    /// went unscored (refused by the full batcher, counted in <c>fleet-inference-refused</c>). At ~150,000 events/s per
    /// 2-core silo that is ~0.1 s of work.
    /// </summary>
    public int MaxEventsInFlight { get; set; } = 16_384;

    /// <summary>The Retry-After of a 503 for a batch refused because the silo is at <see cref="MaxEventsInFlight"/>.</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(1);
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

        if (o.MaxEventsInFlight < 1)
        {
            failures.Add($"{IngestionOptions.Section}:MaxEventsInFlight must be at least 1 (was {o.MaxEventsInFlight}).");
        }

        if (o.BusyRetryAfter < TimeSpan.FromSeconds(1) || o.BusyRetryAfter > TimeSpan.FromHours(1))
        {
            failures.Add($"{IngestionOptions.Section}:BusyRetryAfter must be between 1 second and 1 hour (was {o.BusyRetryAfter}).");
        }

        if (o.MaxFeatures < 1)
        {
            failures.Add($"{IngestionOptions.Section}:MaxFeatures must be at least 1 (was {o.MaxFeatures}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
