namespace FleetGrains.Grains.Devices;

/// <summary>
/// Per-feature mean and variance over every sample added, by Welford's update (numerically stable,
/// constant memory).
/// </summary>
[GenerateSerializer]
public sealed class RunningStatistics
{
    [Id(0)] private readonly double[] _mean;
    [Id(1)] private readonly double[] _m2;
    [Id(2)] private long _count;

    public RunningStatistics(int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _mean = new double[features];
        _m2 = new double[features];
    }

    public int Features => _mean.Length;

    public long Count => _count;

    public double Mean(int feature) => _mean[feature];

    /// <summary>The sample variance (n − 1 in the denominator); 0 until two samples were added.</summary>
    public double Variance(int feature) => _count > 1 ? _m2[feature] / (_count - 1) : 0;

    public double StdDev(int feature) => Math.Sqrt(Variance(feature));

    public void Add(ReadOnlySpan<float> values) => Add(values, clipSigmas: double.PositiveInfinity);

    /// <summary>
    /// Adds a sample with each value first clipped to mean ± <paramref name="clipSigmas"/> standard
    /// deviations, so that one wild reading shifts the statistics by a bounded amount.
    /// </summary>
    public void Add(ReadOnlySpan<float> values, double clipSigmas)
    {
        if (values.Length != _mean.Length)
        {
            throw new ArgumentException($"Expected {_mean.Length} values, got {values.Length}.", nameof(values));
        }

        var clip = _count > 1 && !double.IsPositiveInfinity(clipSigmas);
        _count++;
        for (var i = 0; i < values.Length; i++)
        {
            double x = values[i];
            if (clip)
            {
                var band = clipSigmas * StdDevBefore(i);
                x = Math.Clamp(x, _mean[i] - band, _mean[i] + band);
            }

            var delta = x - _mean[i];
            _mean[i] += delta / _count;
            _m2[i] += delta * (x - _mean[i]);
        }
    }

    // The count has already been incremented for the sample being added.
    private double StdDevBefore(int feature) => Math.Sqrt(_m2[feature] / (_count - 2));
}
