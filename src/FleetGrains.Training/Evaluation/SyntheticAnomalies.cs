using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

/// <summary>
/// Label-free model selection for anomaly detectors: the last part of a machine's <b>training</b>
/// rows becomes a test split with planted anomalies, so configurations can be compared without ever
/// reading the real test rows or labels.
/// </summary>
public static class SyntheticAnomalies
{
    /// <summary>
    /// A stand-in for <paramref name="machine"/>: train on the first (1 − <paramref name="tailFraction"/>)
    /// of its training rows; the test split is the rest, with anomalies planted by <see cref="Plant"/>.
    /// </summary>
    public static SmdMachine TrainingTail(SmdMachine machine, double tailFraction = 0.1, int seed = DefaultSeed)
    {
        var split = (int)(machine.Train.Count * (1 - tailFraction));
        var fit = machine.Train.Take(split).ToList();
        var (tail, labels) = Plant(machine.Train.Skip(split).ToList(), Normaliser.Fit(fit), seed);
        return new SmdMachine($"{machine.Name} (synthetic tail, seed {seed})", fit, tail, labels);
    }

    /// <summary>The planting seed the committed choices were first made with (models/README.md).</summary>
    public const int DefaultSeed = 7;

    /// <summary>
    /// Copies <paramref name="rows"/> and plants anomalous segments of 10–100 rows, at least 20 rows
    /// apart, until about 5 % of the rows are anomalous. Each segment changes 1–4 random features by
    /// 3–6 of their standard deviations: a level shift, a ramp up to twice that, Gaussian noise of
    /// that size, or a spike every fifth row. The same rows and seed give the same result.
    /// </summary>
    public static (List<float[]> Rows, bool[] Labels) Plant(IReadOnlyList<float[]> rows, Normaliser scale, int seed)
    {
        if (rows.Count < 200)
        {
            throw new ArgumentException($"{rows.Count} rows are too few to plant anomalies in (at least 200).", nameof(rows));
        }

        var random = new Random(seed);
        var planted = rows.Select(r => (float[])r.Clone()).ToList();
        var labels = new bool[planted.Count];
        var covered = 0;
        while (covered < planted.Count / 20)
        {
            var length = random.Next(10, 101);
            var start = random.Next(0, planted.Count - length);
            var guardStart = Math.Max(0, start - 20);
            if (labels.AsSpan(guardStart, Math.Min(planted.Count, start + length + 20) - guardStart).Contains(true))
            {
                continue;
            }

            var kind = random.Next(4);
            var features = Enumerable.Range(0, scale.Features).OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToArray();
            var magnitude = (float)(3 + (3 * random.NextDouble())) * (random.Next(2) == 0 ? -1 : 1);
            for (var t = 0; t < length; t++)
            {
                labels[start + t] = true;
                foreach (var f in features)
                {
                    var size = magnitude * scale.Std[f];
                    planted[start + t][f] += kind switch
                    {
                        0 => size,
                        1 => size * 2 * (t + 1) / length,
                        2 => Math.Abs(size) * Gaussian(random),
                        _ => t % 5 == 0 ? 2 * size : 0,
                    };
                }
            }

            covered += length;
        }

        return (planted, labels);
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
