using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>What an acknowledgement or clearing did: the episode after it, or why nothing changed.</summary>
[GenerateSerializer, Immutable]
public sealed record AlarmActionOutcome(
    [property: Id(0)] AnomalyEpisode? Episode,
    [property: Id(1)] AlarmActionRefusal? Refusal)
{
    public static AlarmActionOutcome Done(AnomalyEpisode episode) => new(episode, null);

    public static AlarmActionOutcome Refused(AlarmActionRefusal refusal, AnomalyEpisode? episode = null) => new(episode, refusal);
}

[GenerateSerializer]
public enum AlarmActionRefusal
{
    /// <summary>No kept episode of that device starts there (never raised, or no longer kept).</summary>
    Unknown,

    /// <summary>It was already acknowledged (or cleared) before.</summary>
    AlreadyDone,
}

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

    /// <summary>The matching episodes, the most recently raised first, from the query's offset, at most its limit.</summary>
    [Alias("Query")]
    Task<AnomalyPage> QueryAsync(AnomalyQuery query);

    /// <summary>An operator saw the episode of <paramref name="deviceId"/> that started at <paramref name="startSeq"/>.</summary>
    [Alias("Acknowledge")]
    Task<AlarmActionOutcome> AcknowledgeAsync(string deviceId, long startSeq, AlarmAction action);

    /// <summary>An operator dealt with the episode; it leaves the active ones whether or not its scores went back.</summary>
    [Alias("Clear")]
    Task<AlarmActionOutcome> ClearAsync(string deviceId, long startSeq, AlarmAction action);
}
