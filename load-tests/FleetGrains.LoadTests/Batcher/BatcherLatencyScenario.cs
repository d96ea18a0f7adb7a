using FleetGrains.Abstractions;

namespace FleetGrains.LoadTests.Batcher;

/// <summary>What the batcher scenario runs: the model, the offered loads (requests per second) and how long each lasts.</summary>
public sealed record BatcherLatencyOptions(ModelRef Model, IReadOnlyList<int> Loads, TimeSpan Duration, int Probes = 8)
{
    public static BatcherLatencyOptions Full => new(DefaultModel, [500, 2_000, 8_000], TimeSpan.FromSeconds(10));

    public static BatcherLatencyOptions Quick => new(DefaultModel, [500, 2_000, 8_000], TimeSpan.FromSeconds(2));

    public static readonly ModelRef DefaultModel = new("smd-machine-1-2-autoencoder", 1);
}

/// <summary>One path at one load: what was sent and answered, the latency percentiles, and the rows per ONNX Runtime run it caused.</summary>
public sealed record PathResult(
    ScoringPath Path, int Load, int Sent, int Failed, double AchievedPerSecond,
    TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan P999, TimeSpan Max, double RowsPerRun);

/// <summary>One load: both paths, and what the batcher adds at p50 and p99.</summary>
public sealed record LoadResult(int Load, PathResult Direct, PathResult Batcher)
{
    public TimeSpan AddedP50 => Batcher.P50 - Direct.P50;

    public TimeSpan AddedP99 => Batcher.P99 - Direct.P99;
}

/// <summary>
/// The latency the silo's batcher adds to a device grain's scoring call. At each offered load, one-row
/// requests are sent open-loop from grains inside the silo (as device grains send them) once straight to
/// the model host — the baseline, measured in the same run — and once through the batcher; the difference
/// of the percentiles is what batching costs a caller, the rows per ONNX Runtime run what it buys.
/// </summary>
public static class BatcherLatencyScenario
{
    public static async Task<IReadOnlyList<LoadResult>> RunAsync(ScenarioSilo silo, BatcherLatencyOptions options, TextWriter progress)
    {
        var host = silo.Grains.GetGrain<IModelHostGrain>(options.Model.Key);
        var description = (await host.GetStatusAsync()).Description;
        var window = Window(description.Window * description.Features);

        // Warm-up: sessions loaded, code jitted, grains activated, on both paths.
        foreach (var path in Enum.GetValues<ScoringPath>())
        {
            await RunPathAsync(silo, options with { Duration = TimeSpan.FromSeconds(1) }, path, options.Loads[0], window);
        }

        var results = new List<LoadResult>();
        foreach (var load in options.Loads)
        {
            var direct = await RunPathAsync(silo, options, ScoringPath.Direct, load, window);
            progress.WriteLine($"  {load}/s direct: p99 {Ms(direct.P99)}");
            var batcher = await RunPathAsync(silo, options, ScoringPath.Batcher, load, window);
            progress.WriteLine($"  {load}/s batcher: p99 {Ms(batcher.P99)}");
            results.Add(new LoadResult(load, direct, batcher));
        }

        return results;
    }

    public static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<PathResult> RunPathAsync(ScenarioSilo silo, BatcherLatencyOptions options, ScoringPath path, int load, float[] window)
    {
        var host = silo.Grains.GetGrain<IModelHostGrain>(options.Model.Key);
        var before = await host.GetStatusAsync();
        var perProbe = Math.Max(1, (int)(load * options.Duration.TotalSeconds / options.Probes));
        var interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond * options.Probes / load);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var runs = await Task.WhenAll(Enumerable.Range(0, options.Probes).Select(probe =>
            silo.Grains.GetGrain<ILatencyProbeGrain>(probe).RunAsync(path, options.Model, window, perProbe, interval, interval * probe / options.Probes)));
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var after = await host.GetStatusAsync();

        var histogram = new LatencyHistogram();
        var failed = 0;
        foreach (var ticks in runs.SelectMany(r => r))
        {
            if (ticks < 0)
            {
                failed++;
            }
            else
            {
                histogram.Record(TimeSpan.FromTicks(ticks));
            }
        }

        var sent = perProbe * options.Probes;
        var hostRuns = after.Runs - before.Runs;
        return new PathResult(
            path, load, sent, failed, sent / elapsed.TotalSeconds,
            histogram.Percentile(50), histogram.Percentile(90), histogram.Percentile(99), histogram.Percentile(99.9), histogram.Max,
            hostRuns == 0 ? 0 : (after.Rows - before.Rows) / (double)hostRuns);
    }

    // A realistic window: smooth values around the scale of the readings, not zeros.
    private static float[] Window(int length) =>
        [.. Enumerable.Range(0, length).Select(i => (float)(0.5 + (0.1 * Math.Sin(i))))];
}
