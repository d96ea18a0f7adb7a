namespace FleetGrains.Training.Tests;

/// <summary>Small multivariate series for tests: correlated sine waves with noise.</summary>
internal static class SyntheticSeries
{
    public static List<float[]> Normal(int rows, int features, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows).Select(t => Enumerable.Range(0, features)
            .Select(f => (float)((10 * f) + (3 * Math.Sin((t / 8.0) + f)) + (0.1 * random.NextDouble())))
            .ToArray())];
    }
}
