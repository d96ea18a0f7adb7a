namespace FleetGrains.Abstractions;

/// <summary>
/// One incident of a device: an alarm episode, from the first sample of the scores above its threshold
/// (<see cref="StartSeq"/>) to the last one before they cleared (<see cref="EndSeq"/>; null while open).
/// <see cref="RaisedAt"/> and <see cref="ClearedAt"/> are the sample times of the scorings that raised and ended it;
/// <see cref="Severity"/> is the highest it reached, <see cref="PeakScore"/> its highest score;
/// <see cref="Threshold"/> the threshold it was raised against, by <see cref="Scorer"/> (<c>statistical</c> or a
/// model key); <see cref="TopContributors"/> the sensors of the scoring that raised it or made it Critical.
/// <see cref="NewNormal"/>: it did not clear but lasted until the device accepted its level as the new normal.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyEpisode(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] long StartSeq,
    [property: Id(2)] DateTimeOffset RaisedAt,
    [property: Id(3)] HealthState Severity,
    [property: Id(4)] float PeakScore,
    [property: Id(5)] long PeakSeq,
    [property: Id(6)] float Threshold,
    [property: Id(7)] string Scorer,
    [property: Id(8)] IReadOnlyList<FeatureContribution> TopContributors,
    [property: Id(9)] long? EndSeq,
    [property: Id(10)] DateTimeOffset? ClearedAt,
    [property: Id(11)] bool NewNormal)
{
    public bool Open => EndSeq is null;
}

/// <summary>A page of a fleet's alarm episodes, the most recently raised first; <see cref="Total"/> counts the ones kept.</summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyPage(
    [property: Id(0)] int Total,
    [property: Id(1)] int Offset,
    [property: Id(2)] IReadOnlyList<AnomalyEpisode> Episodes);
