namespace FleetGrains.Abstractions;

/// <summary>
/// The health of a fleet, rolled up from its shards; and its ingestion across the cluster, as the silos last reported
/// it: events its devices accepted per second, how late valid events arrived (mean of arrival − event time over the
/// last second; null when none came), events dead-lettered by the sources in the last hour.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FleetRollup(
    [property: Id(0)] string FleetId,
    [property: Id(1)] int DeviceCount,
    [property: Id(2)] IReadOnlyDictionary<HealthState, int> Counts,
    [property: Id(3)] IReadOnlyList<DeviceStatus> Worst,
    [property: Id(4)] int OfflineCount,
    [property: Id(5)] IReadOnlyList<DeviceStatus> Offline,
    [property: Id(6)] DateTimeOffset? LastUpdated)
{
    [Id(7)]
    public double EventsPerSecond { get; init; }

    [Id(8)]
    public double? ArrivalLagSeconds { get; init; }

    [Id(9)]
    public long DeadLetteredLastHour { get; init; }
}

/// <summary>One shard's part of a fleet rollup.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardSummary(
    [property: Id(0)] int Shard,
    [property: Id(1)] int DeviceCount,
    [property: Id(2)] IReadOnlyDictionary<HealthState, int> Counts,
    [property: Id(3)] IReadOnlyList<DeviceStatus> Worst,
    [property: Id(4)] int OfflineCount,
    [property: Id(5)] IReadOnlyList<DeviceStatus> Offline,
    [property: Id(6)] DateTimeOffset? LastUpdated);
