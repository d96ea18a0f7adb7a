namespace FleetGrains.Abstractions;

/// <summary>Everything an operator wants to know about one device, read from its grain.</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceSnapshot(
    [property: Id(0)] string FleetId,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] HealthState Health,
    [property: Id(3)] float? Score,
    [property: Id(4)] DeviceThreshold Threshold,
    [property: Id(5)] IReadOnlyList<FeatureContribution> TopContributors,
    [property: Id(6)] DateTimeOffset? LastSeen,
    [property: Id(7)] long LastSeq,
    [property: Id(8)] int FeatureCount,
    [property: Id(9)] int WindowSize,
    [property: Id(10)] DeviceCounters Counters,
    [property: Id(11)] IReadOnlyList<FeatureStatistics> Features,
    [property: Id(12)] DeviceScoring Scoring)
{
    /// <summary>The alarm episode open now, as far as it has gone (its peak so far); null when none is.</summary>
    [Id(13)]
    public AnomalyEpisode? OpenEpisode { get; init; }
}

/// <summary>
/// The threshold a device's anomaly score is compared with: the learned one (once calibrated)
/// and the one an operator pinned, if any. <see cref="Effective"/> is the one in force.
/// <see cref="FalsePositives"/> counts the feedback that raised the learned one since calibration.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceThreshold(
    [property: Id(0)] float? Effective,
    [property: Id(1)] float? Learned,
    [property: Id(2)] float? Pinned,
    [property: Id(3)] int CalibrationScores,
    [property: Id(4)] int CalibrationTarget,
    [property: Id(5)] int FalsePositives);

/// <summary>
/// What a device did with the samples sent to it. <see cref="Late"/> counts the accepted samples (included in
/// <see cref="Accepted"/>) that came after a newer one: they updated the statistics, not the window or scores.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceCounters(
    [property: Id(0)] long Accepted,
    [property: Id(1)] long Duplicates,
    [property: Id(2)] long Rejected,
    [property: Id(3)] long Scored,
    [property: Id(4)] long Late);

/// <summary>Running statistics of one feature over every accepted sample.</summary>
[GenerateSerializer, Immutable]
public sealed record FeatureStatistics(
    [property: Id(0)] int Feature,
    [property: Id(1)] double Mean,
    [property: Id(2)] double StdDev);
