using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Tests;

/// <summary>Deterministic telemetry for tests.</summary>
internal static class TestData
{
    /// <summary>Samples with seq <paramref name="firstSeq"/>.. of Gaussian noise around 10 × feature index.</summary>
    public static TelemetrySample[] Normal(long firstSeq, int count, int features, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new TelemetrySample(
            firstSeq + i,
            1_700_000_000_000 + ((firstSeq + i) * 1000),
            [.. Enumerable.Range(0, features).Select(f => (float)((10 * f) + Gaussian(random)))]))];
    }

    /// <summary>Samples far from the normal data on every feature.</summary>
    public static TelemetrySample[] Anomalous(long firstSeq, int count, int features) =>
        [.. Enumerable.Range(0, count).Select(i => new TelemetrySample(
            firstSeq + i,
            1_700_000_000_000 + ((firstSeq + i) * 1000),
            [.. Enumerable.Range(0, features).Select(f => (float)((10 * f) + 50))]))];

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
