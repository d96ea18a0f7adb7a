using System.Globalization;

namespace FleetGrains.Cli.Tests;

/// <summary>Small files in the layouts of the SMD and C-MAPSS benchmarks, for the local commands.</summary>
internal static class SyntheticBenchmarks
{
    /// <summary>An SMD machine with 4 metrics; test rows [anomalyAt, anomalyAt + 10) are anomalous on metric 2.</summary>
    public static void WriteSmdMachine(string folder, string name, int rows, int anomalyAt)
    {
        var random = new Random(1);
        string Row(int t, bool anomalous) => string.Join(',', Enumerable.Range(0, 4).Select(f =>
            ((0.5 + (0.3 * Math.Sin((t / 6.0) + f)) + (0.02 * random.NextDouble()) + (anomalous && f == 2 ? 0.8 : 0)).ToString("F6", CultureInfo.InvariantCulture))));
        foreach (var sub in new[] { "train", "test", "test_label" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }

        File.WriteAllLines(Path.Combine(folder, "train", $"{name}.txt"), Enumerable.Range(0, rows).Select(t => Row(t, false)));
        var anomalous = Enumerable.Range(0, rows).Select(t => t >= anomalyAt && t < anomalyAt + 10).ToArray();
        File.WriteAllLines(Path.Combine(folder, "test", $"{name}.txt"), Enumerable.Range(0, rows).Select(t => Row(rows + t, anomalous[t])));
        File.WriteAllLines(Path.Combine(folder, "test_label", $"{name}.txt"), anomalous.Select(a => a ? "1" : "0"));
    }

    /// <summary>A C-MAPSS subset of <paramref name="engines"/> engines whose first three sensors wear out.</summary>
    public static void WriteCmapss(string folder, string subset, int engines)
    {
        var random = new Random(2);
        IEnumerable<string> Engine(int unit, int life, int observed) => Enumerable.Range(1, observed).Select(cycle =>
        {
            var wear = Math.Exp(3.0 * cycle / life) - 1;
            var settings = new[] { 0.001, 0.0002, 100.0 };
            var sensors = Enumerable.Range(0, 21).Select(s => s < 3 ? 100 + (10 * s) + (wear * (s + 1)) + (0.3 * random.NextDouble()) : s == 3 ? 50 : 20 + random.NextDouble());
            return string.Join(' ', new[] { unit.ToString(CultureInfo.InvariantCulture), cycle.ToString(CultureInfo.InvariantCulture) }
                .Concat(settings.Concat(sensors).Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))) + "  ";
        });

        var train = new List<string>();
        var test = new List<string>();
        var rul = new List<string>();
        for (var unit = 1; unit <= engines; unit++)
        {
            var life = 60 + random.Next(40);
            train.AddRange(Engine(unit, life, life));
            var observed = 35 + random.Next(life - 40);
            test.AddRange(Engine(unit, life, observed));
            rul.Add((life - observed).ToString(CultureInfo.InvariantCulture));
        }

        File.WriteAllLines(Path.Combine(folder, $"train_{subset}.txt"), train);
        File.WriteAllLines(Path.Combine(folder, $"test_{subset}.txt"), test);
        File.WriteAllLines(Path.Combine(folder, $"RUL_{subset}.txt"), rul);
    }
}
