using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.LoadTests.Batcher;

namespace FleetGrains.LoadTests;

/// <summary><c>FleetGrains.LoadTests &lt;scenario&gt; [--quick] [--json out.json]</c>: runs a scenario, prints its table, writes its JSON.</summary>
public static class LoadTestCommand
{
    public const string Usage = """
        usage: FleetGrains.LoadTests <scenario> [--quick] [--json out.json] [options]

        scenarios:
          batcher [--model id@version] [--loads 500,2000,8000] [--seconds 10] [--delay-ms D]
                  the latency the silo's batcher adds to a scoring call, against calls straight to the model
                  host in the same run, at each offered load (one-row requests, open loop, from grains in the silo)

        --quick   shorter runs (under a minute); --json writes the figures to a file.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var (scenario, options) = Parse(args);
            if (scenario != "batcher")
            {
                throw new ArgumentException($"unknown scenario '{scenario}'.");
            }

            var batcher = options.TryGetValue("quick", out _) ? BatcherLatencyOptions.Quick : BatcherLatencyOptions.Full;
            if (options.TryGetValue("model", out var model))
            {
                batcher = batcher with { Model = ModelRef.Parse(model!) };
            }

            if (options.TryGetValue("loads", out var loads))
            {
                batcher = batcher with { Loads = [.. loads!.Split(',').Select(l => PositiveInt(l, "--loads"))] };
            }

            if (options.TryGetValue("seconds", out var seconds))
            {
                batcher = batcher with { Duration = TimeSpan.FromSeconds(PositiveInt(seconds!, "--seconds")) };
            }

            double? delayMs = options.TryGetValue("delay-ms", out var delay)
                ? double.Parse(delay!, NumberStyles.Float, CultureInfo.InvariantCulture)
                : null;
            await using var silo = await ScenarioSilo.StartAsync(delayMs is { } ms ? o => o.BatchMaxDelay = TimeSpan.FromMilliseconds(ms) : null);
            var limits = silo.Inference;
            await error.WriteLineAsync($"batcher: {batcher.Model}, loads {string.Join(", ", batcher.Loads)}/s, {batcher.Duration.TotalSeconds:0.#} s each; BatchMaxDelay {limits.BatchMaxDelay.TotalMilliseconds} ms, BatchMaxRows {limits.BatchMaxRows}");
            var results = await BatcherLatencyScenario.RunAsync(silo, batcher, error);
            WriteTable(results, batcher, limits, output);
            if (options.TryGetValue("json", out var jsonPath))
            {
                await File.WriteAllTextAsync(jsonPath!, JsonSerializer.Serialize(new { scenario, machine = MachineInfo.Describe(), options = batcher, limits.BatchMaxDelay, limits.BatchMaxRows, results }, Json));
            }

            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await error.WriteLineAsync($"load-tests: {ex.Message}");
            await error.WriteLineAsync(Usage);
            return 2;
        }
    }

    private static void WriteTable(IReadOnlyList<LoadResult> results, BatcherLatencyOptions options, InferenceOptions limits, TextWriter output)
    {
        static string Ms(TimeSpan t) => BatcherLatencyScenario.Ms(t);
        static string N(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        output.WriteLine($"Batcher latency: {options.Model}, one-row requests, {options.Duration.TotalSeconds:0.#} s per load, BatchMaxDelay {limits.BatchMaxDelay.TotalMilliseconds} ms, BatchMaxRows {limits.BatchMaxRows}; latencies in ms; {MachineInfo.Describe()}");
        output.WriteLine();
        output.WriteLine("| load (req/s) | path | sent | failed | achieved (req/s) | p50 | p90 | p99 | p99.9 | max | rows per ONNX run |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var load in results)
        {
            foreach (var p in new[] { load.Direct, load.Batcher })
            {
                output.WriteLine($"| {p.Load} | {p.Path.ToString().ToLowerInvariant()} | {p.Sent} | {p.Failed} | {N(p.AchievedPerSecond, "0")} | {Ms(p.P50)} | {Ms(p.P90)} | {Ms(p.P99)} | {Ms(p.P999)} | {Ms(p.Max)} | {N(p.RowsPerRun, "0.0")} |");
            }
        }

        output.WriteLine();
        output.WriteLine("| load (req/s) | batcher adds at p50 (ms) | batcher adds at p99 (ms) | target p99 |");
        output.WriteLine("|---:|---:|---:|---|");
        foreach (var load in results)
        {
            output.WriteLine($"| {load.Load} | {Ms(load.AddedP50)} | {Ms(load.AddedP99)} | ≤ 5 ms: {(load.AddedP99 <= TimeSpan.FromMilliseconds(5) ? "met" : "missed")} |");
        }
    }

    private static (string Scenario, Dictionary<string, string?> Options) Parse(string[] args)
    {
        string? scenario = null;
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick")
            {
                options["quick"] = null;
            }
            else if (args[i] is "--json" or "--model" or "--loads" or "--seconds" or "--delay-ms")
            {
                options[args[i][2..]] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            }
            else if (scenario is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                scenario = args[i];
            }
            else
            {
                throw new ArgumentException($"unknown argument '{args[i]}'.");
            }
        }

        return (scenario ?? throw new ArgumentException("name a scenario."), options);
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes positive whole numbers, got '{text}'.");
}
