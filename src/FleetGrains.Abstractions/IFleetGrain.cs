using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>A fleet's rollup, keyed by fleet id; fed by its shards, never by devices directly.</summary>
[Alias("FleetGrains.IFleetGrain")]
public interface IFleetGrain : IGrainWithStringKey
{
    [Alias("ReportShard"), OneWay]
    Task ReportShardAsync(ShardSummary summary);

    /// <summary>What <paramref name="silo"/> took for this fleet over the last second.</summary>
    [Alias("ReportIngest"), OneWay]
    Task ReportIngestAsync(string silo, FleetIngestReport report);

    [Alias("GetRollup")]
    Task<FleetRollup> GetRollupAsync();
}
