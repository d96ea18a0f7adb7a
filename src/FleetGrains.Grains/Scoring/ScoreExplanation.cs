using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Scoring;

/// <summary>
/// The per-feature deviations behind one statistical score, written by the scorer into buffers that are
/// reused from score to score; the top contributors are worked out from them only where they are read.
/// </summary>
public sealed class ScoreExplanation(int features)
{
    private float[] _deviations = new float[features];
    private bool[] _stuck = new bool[features];

    public int Features { get; private set; } = features;

    /// <summary>The deviation of each feature (its z-score, or the stuck deviation).</summary>
    public Span<float> Deviations => _deviations.AsSpan(0, Features);

    /// <summary>Whether each feature counted as stuck.</summary>
    public Span<bool> Stuck => _stuck.AsSpan(0, Features);

    /// <summary>The sum of the squared deviations.</summary>
    public double SumOfSquares { get; set; }

    /// <summary>Makes room for <paramref name="features"/> features; the buffers grow, never shrink.</summary>
    public void Reset(int features)
    {
        if (features > _deviations.Length)
        {
            _deviations = new float[features];
            _stuck = new bool[features];
        }

        Features = features;
        Stuck.Clear();
        SumOfSquares = 0;
    }

    /// <summary>See <see cref="Contributions.Top"/>.</summary>
    public FeatureContribution[] Top(int count, float minShare = Contributions.DefaultMinShare) =>
        Contributions.Top(Deviations, Stuck, SumOfSquares, count, minShare);

    /// <summary>See <see cref="Contributions.TopInto"/>.</summary>
    public int TopInto(Span<Contribution> top, float minShare = Contributions.DefaultMinShare) =>
        Contributions.TopInto(Deviations, Stuck, SumOfSquares, minShare, top);
}
