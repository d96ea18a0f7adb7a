namespace FleetGrains.Abstractions;

/// <summary>
/// One scoring of a device: the sample it scored (<see cref="Seq"/>, <see cref="Timestamp"/>), its anomaly
/// score and the threshold in force after it (null while the device calibrates), and the remaining-useful-life
/// estimate when the fleet has a RUL model. A field is null when that model did not score the sample.
/// <see cref="Health"/> is the device's score-driven health after the scoring (Offline is a matter of silence, not
/// of a scoring); null for a RUL estimate alone.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScorePoint(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] float? Score,
    [property: Id(3)] float? Threshold,
    [property: Id(4)] float? Rul)
{
    [Id(5)]
    public HealthState? Health { get; init; }
}

/// <summary>
/// A device's most recent scorings, oldest first: at most <see cref="Capacity"/> are kept, in memory
/// (a reactivated device starts a new history). <see cref="Scorer"/> made the scores.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceScoreHistory(
    [property: Id(0)] string FleetId,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] int Capacity,
    [property: Id(3)] string Scorer,
    [property: Id(4)] string? RulModel,
    [property: Id(5)] ScorePoint[] Points);
