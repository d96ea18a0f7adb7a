using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>The latest alarm episodes of one fleet (key: fleet id), bounded in number and persisted.</summary>
[Alias("FleetGrains.IFleetAnomaliesGrain")]
public interface IFleetAnomaliesGrain : IGrainWithStringKey
{
    /// <summary>
    /// A device raised an episode, or one it raised changed (Critical, ended): the record replaces the kept one with
    /// the same device and start, or is added when there is none.
    /// </summary>
    [Alias("RecordEpisode"), OneWay]
    Task RecordAsync(AnomalyEpisode episode);

    /// <summary>The most recently raised first, from <paramref name="offset"/>, at most <paramref name="limit"/>.</summary>
    [Alias("GetPage")]
    Task<AnomalyPage> GetPageAsync(int offset, int limit);
}
