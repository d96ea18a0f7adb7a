namespace FleetGrains.Abstractions;

/// <summary>
/// One incident of a device: an alarm episode, from the first sample of the scores above its threshold
/// (<see cref="StartSeq"/>) to the last one before they cleared (<see cref="EndSeq"/>; null while open).
/// <see cref="RaisedAt"/> and <see cref="ClearedAt"/> are the sample times of the scorings that raised and ended it;
/// <see cref="Severity"/> is the highest it reached, <see cref="PeakScore"/> its highest score;
/// <see cref="Threshold"/> the threshold it was raised against, by <see cref="Scorer"/> (<c>statistical</c> or a
/// model key); <see cref="TopContributors"/> the sensors of the scoring that raised it or made it Critical.
/// <see cref="NewNormal"/>: it did not clear but lasted until the device accepted its level as the new normal.
/// <see cref="Acknowledged"/> and <see cref="Cleared"/> are what operators did with it (the devices never set them):
/// its <see cref="Status"/> for operators, apart from whether its scores are still above the threshold (<see cref="Open"/>).
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

    [Id(12)]
    public AlarmAction? Acknowledged { get; init; }

    [Id(13)]
    public AlarmAction? Cleared { get; init; }

    public AlarmStatus Status => Cleared is not null ? AlarmStatus.Cleared : Acknowledged is not null ? AlarmStatus.Acknowledged : AlarmStatus.Active;
}

/// <summary>Where an alarm is in its operators' hands: new, seen by someone, or dealt with.</summary>
[GenerateSerializer]
public enum AlarmStatus
{
    /// <summary>Nobody has acknowledged or cleared it yet.</summary>
    Active,

    /// <summary>An operator has seen it and said so.</summary>
    Acknowledged,

    /// <summary>An operator has dealt with it (acknowledged or not before).</summary>
    Cleared,
}

/// <summary>An operator's acknowledgement or clearing of an alarm: who (the credential's name), when, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record AlarmAction(
    [property: Id(0)] string By,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Comment);

/// <summary>
/// A page of a fleet's alarm episodes that match a query, the most recently raised first; <see cref="Total"/> counts the
/// kept ones that match, <see cref="ByStatus"/> and <see cref="BySeverity"/> count every kept one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyPage(
    [property: Id(0)] int Total,
    [property: Id(1)] int Offset,
    [property: Id(2)] IReadOnlyList<AnomalyEpisode> Episodes,
    [property: Id(3)] IReadOnlyDictionary<AlarmStatus, int> ByStatus,
    [property: Id(4)] IReadOnlyDictionary<HealthState, int> BySeverity);

/// <summary>Which of a fleet's kept alarm episodes to page through: optionally one status, one severity, one device.</summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyQuery(
    [property: Id(0)] int Offset,
    [property: Id(1)] int Limit,
    [property: Id(2)] AlarmStatus? Status = null,
    [property: Id(3)] HealthState? Severity = null,
    [property: Id(4)] string? DeviceId = null)
{
    public bool Matches(AnomalyEpisode episode) =>
        (Status is null || episode.Status == Status) && (Severity is null || episode.Severity == Severity) && (DeviceId is null || episode.DeviceId == DeviceId);
}
