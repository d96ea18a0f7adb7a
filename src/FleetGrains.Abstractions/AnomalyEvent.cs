namespace FleetGrains.Abstractions;

/// <summary>
/// A device's health moved to Warning or Critical: the score and threshold that did it, the scorer
/// (<c>statistical</c> or a model key), the sample it happened at and the sensors that contributed most.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyEvent(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] HealthState From,
    [property: Id(3)] HealthState To,
    [property: Id(4)] float Score,
    [property: Id(5)] float Threshold,
    [property: Id(6)] string Scorer,
    [property: Id(7)] long Seq,
    [property: Id(8)] IReadOnlyList<FeatureContribution> TopContributors);

/// <summary>A page of a fleet's anomaly events, newest first; <see cref="Total"/> counts the ones kept.</summary>
[GenerateSerializer, Immutable]
public sealed record AnomalyPage(
    [property: Id(0)] int Total,
    [property: Id(1)] int Offset,
    [property: Id(2)] IReadOnlyList<AnomalyEvent> Events);
