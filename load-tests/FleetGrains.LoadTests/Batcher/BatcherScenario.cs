using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;

namespace FleetGrains.LoadTests.Batcher;

/// <summary><c>batcher</c>: the latency the silo's batcher adds, against calls straight to the model host in the same run.</summary>
public sealed class BatcherScenario : ILoadScenario
{
    public string Name => "batcher";

    public string Usage => """
        batcher [--model id@version] [--loads 500,2000,8000] [--seconds 10] [--delay-ms D]
                the latency the silo's batcher adds to a scoring call, against calls straight to the model
                host in the same run, at each offered load (one-row requests, open loop, from grains in the silo)
        """;

    public IReadOnlyCollection<string> Options => ["model", "loads", "seconds", "delay-ms"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var options = arguments.Quick ? BatcherLatencyOptions.Quick : BatcherLatencyOptions.Full;
        options = options with
        {
            Model = arguments.Text("model") is { } model ? ModelRef.Parse(model) : options.Model,
            Loads = arguments.PositiveInts("loads", options.Loads),
            Duration = TimeSpan.FromSeconds(arguments.PositiveInt("seconds", (int)options.Duration.TotalSeconds)),
        };
        double? delayMs = arguments.Text("delay-ms") is null ? null : arguments.PositiveNumber("delay-ms", 1);
        await using var silo = await ScenarioSilo.StartAsync(delayMs is { } ms
            ? new Dictionary<string, string?> { ["Fleet:Inference:BatchMaxDelay"] = TimeSpan.FromMilliseconds(ms).ToString("c") }
            : null);
        var limits = silo.Inference;
        await progress.WriteLineAsync($"batcher: {options.Model}, loads {string.Join(", ", options.Loads)}/s, {options.Duration.TotalSeconds:0.#} s each; BatchMaxDelay {limits.BatchMaxDelay.TotalMilliseconds} ms, BatchMaxRows {limits.BatchMaxRows}");
        var results = await BatcherLatencyScenario.RunAsync(silo, options, progress);

        var chart = new SvgLineChart(
            "batcher-latency.svg", $"Scoring latency, {options.Model}: straight to the model host vs through the batcher", "offered load (requests/s)", "latency (ms)",
            [
                Line("direct p50", results, r => r.Direct.P50), Line("direct p99", results, r => r.Direct.P99),
                Line("batcher p50", results, r => r.Batcher.P50), Line("batcher p99", results, r => r.Batcher.P99),
            ],
            LogX: true);
        return new ScenarioReport(Table(results, options, limits.BatchMaxDelay, limits.BatchMaxRows), new { options, limits.BatchMaxDelay, limits.BatchMaxRows, results }, [chart]);
    }

    /// <summary>The Markdown tables of a batcher run: both paths at every load, then what the batcher adds.</summary>
    public static string Table(IReadOnlyList<LoadResult> results, BatcherLatencyOptions options, TimeSpan maxDelay, int maxRows)
    {
        static string Ms(TimeSpan t) => BatcherLatencyScenario.Ms(t);
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Batcher latency: {options.Model}, one-row requests, {options.Duration.TotalSeconds:0.#} s per load, BatchMaxDelay {maxDelay.TotalMilliseconds} ms, BatchMaxRows {maxRows}; latencies in ms; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| load (req/s) | path | sent | failed | achieved (req/s) | p50 | p90 | p99 | p99.9 | max | rows per ONNX run |");
        table.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var load in results)
        {
            foreach (var p in new[] { load.Direct, load.Batcher })
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"| {p.Load} | {p.Path.ToString().ToLowerInvariant()} | {p.Sent} | {p.Failed} | {p.AchievedPerSecond:0} | {Ms(p.P50)} | {Ms(p.P90)} | {Ms(p.P99)} | {Ms(p.P999)} | {Ms(p.Max)} | {p.RowsPerRun:0.0} |");
            }
        }

        table.AppendLine();
        table.AppendLine("| load (req/s) | batcher adds at p50 (ms) | batcher adds at p99 (ms) | target p99 |");
        table.AppendLine("|---:|---:|---:|---|");
        foreach (var load in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {load.Load} | {Ms(load.AddedP50)} | {Ms(load.AddedP99)} | ≤ 5 ms: {Targets.Verdict(load.AddedP99 <= TimeSpan.FromMilliseconds(5))} |");
        }

        return table.ToString();
    }

    private static ChartSeries Line(string name, IReadOnlyList<LoadResult> results, Func<LoadResult, TimeSpan> value) =>
        new(name, [.. results.Select(r => ((double)r.Load, value(r).TotalMilliseconds))]);
}
