namespace FleetGrains.Abstractions;

/// <summary>
/// A model's answer for each row of a <see cref="ScoringRequest"/>: <see cref="Values"/> holds the
/// anomaly score (autoencoders) or the remaining useful life (RUL models) of each row;
/// <see cref="FeatureErrors"/> holds, for autoencoders, <see cref="Features"/> errors per row (the explanation).
/// On the silo that ran the model the rows may lie in a run's pooled outputs (<see cref="PooledRunOutput"/>): a caller
/// that is done reading them calls <see cref="Release"/>, after which they must not be read.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScoringResult(
    [property: Id(0)] ModelRef Model,
    [property: Id(1)] ReadOnlyMemory<float> Values,
    [property: Id(2)] ReadOnlyMemory<float> FeatureErrors,
    [property: Id(3)] int Features)
{
    // Not serialized: a result that left the silo holds its own copy.
    [NonSerialized]
    private PooledRunOutput? _output;

    public int Rows => Values.Length;

    /// <summary>This result, its rows lying in <paramref name="output"/>, which it holds until <see cref="Release"/>.</summary>
    public ScoringResult HeldFrom(PooledRunOutput output)
    {
        _output = output;
        return this;
    }

    /// <summary>Gives up this result's hold on its run's pooled outputs (once; nothing when it holds none).</summary>
    public void Release() => Interlocked.Exchange(ref _output, null)?.Release();
}
