using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>A fleet's rollup, keyed by fleet id; fed by its shards, never by devices directly.</summary>
[Alias("FleetGrains.IFleetGrain")]
public interface IFleetGrain : IGrainWithStringKey
{
    [Alias("ReportShard"), OneWay]
    Task ReportShardAsync(ShardSummary summary);

    /// <summary>The events per second <paramref name="silo"/> accepted for this fleet over the last second.</summary>
    [Alias("ReportIngestRate"), OneWay]
    Task ReportIngestRateAsync(string silo, double eventsPerSecond);

    [Alias("GetRollup")]
    Task<FleetRollup> GetRollupAsync();
}
