namespace FleetGrains.Abstractions;

/// <summary>
/// How much one feature contributed to an anomaly score: its standardised deviation and its
/// share of the squared score (the shares of all features add up to 1).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FeatureContribution(
    [property: Id(0)] int Feature,
    [property: Id(1)] float Deviation,
    [property: Id(2)] float Share,
    [property: Id(3)] bool Stuck);
