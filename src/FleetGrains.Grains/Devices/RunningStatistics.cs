namespace FleetGrains.Grains.Devices;

/// <summary>
/// Per-feature mean and variance by Welford's update (numerically stable, constant memory). Each
/// feature keeps its own count, because a reading can be left out of one feature as an outlier
/// while the others take it.
/// </summary>
[GenerateSerializer]
public sealed class RunningStatistics
{
    [Id(0)] private readonly double[] _mean;
    [Id(1)] private readonly double[] _m2;
    [Id(2)] private long _count;
    [Id(3)] private readonly long[] _featureCounts;

    public RunningStatistics(int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _mean = new double[features];
        _m2 = new double[features];
        _featureCounts = new long[features];
    }

    public int Features => _mean.Length;

    /// <summary>Samples offered, outliers included.</summary>
    public long Count => _count;

    public double Mean(int feature) => _mean[feature];

    /// <summary>The sample variance (n − 1 in the denominator); 0 until the feature took two values.</summary>
    public double Variance(int feature) => _featureCounts[feature] > 1 ? _m2[feature] / (_featureCounts[feature] - 1) : 0;

    public double StdDev(int feature) => Math.Sqrt(Variance(feature));

    public void Add(ReadOnlySpan<float> values) => Add(values, outlierSigmas: double.PositiveInfinity);

    /// <summary>
    /// Adds a sample, leaving out of each feature a value further than <paramref name="outlierSigmas"/>
    /// standard deviations from its mean: a fault must not become the baseline it is measured against
    /// (clipping instead would still inflate the variance until a slow drift looked normal).
    /// </summary>
    public void Add(ReadOnlySpan<float> values, double outlierSigmas)
    {
        if (values.Length != _mean.Length)
        {
            throw new ArgumentException($"Expected {_mean.Length} values, got {values.Length}.", nameof(values));
        }

        _count++;
        for (var i = 0; i < values.Length; i++)
        {
            double x = values[i];
            var stdDev = StdDev(i);
            if (stdDev > 0 && Math.Abs(x - _mean[i]) > outlierSigmas * stdDev)
            {
                continue;
            }

            var n = ++_featureCounts[i];
            var delta = x - _mean[i];
            _mean[i] += delta / n;
            _m2[i] += delta * (x - _mean[i]);
        }
    }
}
