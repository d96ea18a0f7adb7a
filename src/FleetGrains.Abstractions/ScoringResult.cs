namespace FleetGrains.Abstractions;

/// <summary>
/// A model's answer for each row of a <see cref="ScoringRequest"/>: <see cref="Values"/> holds the
/// anomaly score (autoencoders) or the remaining useful life (RUL models) of each row;
/// <see cref="FeatureErrors"/> holds, for autoencoders, <see cref="Features"/> errors per row (the explanation).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScoringResult(
    [property: Id(0)] ModelRef Model,
    [property: Id(1)] float[] Values,
    [property: Id(2)] float[] FeatureErrors,
    [property: Id(3)] int Features)
{
    public int Rows => Values.Length;
}
