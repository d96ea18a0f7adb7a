using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>A fleet's rollup, keyed by fleet id; fed by its shards, never by devices directly.</summary>
[Alias("FleetGrains.IFleetGrain")]
public interface IFleetGrain : IGrainWithStringKey
{
    [Alias("ReportShard"), OneWay]
    Task ReportShardAsync(ShardSummary summary);

    [Alias("GetRollup")]
    Task<FleetRollup> GetRollupAsync();
}
