namespace FleetGrains.Detection;

/// <summary>
/// One alarm episode, positions being what the caller passed with each score (a sequence number, a row):
/// <see cref="Start"/> is the first score of the run that opened it, <see cref="End"/> the last score before the
/// run that cleared it (or the score at which it became a new normal), <see cref="Peak"/> its highest score.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AlarmEpisode(
    [property: Id(0)] long Start,
    [property: Id(1)] long End,
    [property: Id(2)] long PeakAt,
    [property: Id(3)] float Peak,
    [property: Id(4)] AlarmLevel Level,
    [property: Id(5)] bool NewNormal);
