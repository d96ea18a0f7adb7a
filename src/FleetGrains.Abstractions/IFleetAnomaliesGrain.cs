using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>The latest anomaly events of one fleet (key: fleet id), bounded in number and persisted.</summary>
[Alias("FleetGrains.IFleetAnomaliesGrain")]
public interface IFleetAnomaliesGrain : IGrainWithStringKey
{
    [Alias("Record"), OneWay]
    Task RecordAsync(AnomalyEvent anomaly);

    /// <summary>Newest first, from <paramref name="offset"/>, at most <paramref name="limit"/>.</summary>
    [Alias("GetPage")]
    Task<AnomalyPage> GetPageAsync(int offset, int limit);
}
