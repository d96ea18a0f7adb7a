namespace FleetGrains.LocalServers;

/// <summary>
/// A silo's garbage-collector counters as its <c>/metrics</c> shows them (the runtime's own <c>System.Runtime</c>
/// meter): bytes allocated, collections and time paused since the process started. The difference of two readings
/// says what the work between them cost.
/// </summary>
public sealed record GcCounters(double AllocatedBytes, double Collections, double PauseSeconds)
{
    public static GcCounters Parse(string scrape) => new(
        Sum(scrape, "dotnet_gc_heap_total_allocated_bytes_total"),
        Sum(scrape, "dotnet_gc_collections_total"),
        Sum(scrape, "dotnet_gc_pause_time_seconds_total"));

    public static GcCounters operator -(GcCounters after, GcCounters before) => new(
        after.AllocatedBytes - before.AllocatedBytes, after.Collections - before.Collections, after.PauseSeconds - before.PauseSeconds);

    /// <summary>The mean pause of a collection, in milliseconds.</summary>
    public double MeanPauseMilliseconds => Collections > 0 ? PauseSeconds * 1000 / Collections : 0;

    private static double Sum(string scrape, string metric)
    {
        var samples = PrometheusScrape.Samples(scrape, metric);
        return samples.Count > 0
            ? samples.Sum(s => s.Value)
            : throw new InvalidOperationException($"The silo's /metrics has no {metric}: the System.Runtime meter is not exported.");
    }
}
