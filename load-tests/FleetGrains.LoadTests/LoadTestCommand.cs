using System.Text.Json;
using System.Text.Json.Serialization;
using FleetGrains.LoadTests.Batcher;
using FleetGrains.LoadTests.Density;
using FleetGrains.LoadTests.Inference;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Latency;
using FleetGrains.LoadTests.Streams;

namespace FleetGrains.LoadTests;

/// <summary>
/// <c>FleetGrains.LoadTests &lt;scenario&gt; [--quick] [--json out.json] [--charts dir] [options]</c>: runs a
/// scenario, prints its tables (Markdown), writes its figures as JSON and its charts as SVG files.
/// </summary>
public static class LoadTestCommand
{
    public static readonly IReadOnlyList<ILoadScenario> Scenarios = [new IngestScenario(), new DensityScenario(), new InferenceScenario(), new LatencyScenario(), new OverloadScenario(), new StreamsScenario(), new BatcherScenario()];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static string Usage => $"""
        usage: FleetGrains.LoadTests <scenario> [--quick] [--json out.json] [--charts dir] [--trace dir] [options]

        scenarios:
        {string.Join("\n", Scenarios.Select(s => Indent(s.Usage)))}
        --quick   shorter runs (under a minute); --json writes the figures to a file; --charts writes the SVG charts
                  into a folder; --trace (the scenarios that start silo processes) has each silo process write its GC trace (EventPipe)
                  into a folder and prints what its collector did: collections, pauses, the most allocated types.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var (scenario, arguments, json, charts) = Parse(args);
            var report = await scenario.RunAsync(arguments, error);
            await output.WriteLineAsync(report.Table);
            if (json is not null)
            {
                await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { scenario = scenario.Name, machine = MachineInfo.Describe(), quick = arguments.Quick, figures = report.Figures }, Json));
            }

            if (charts is not null)
            {
                Directory.CreateDirectory(charts);
                foreach (var chart in report.Charts)
                {
                    await File.WriteAllTextAsync(Path.Combine(charts, chart.FileName), chart.ToSvg());
                }
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

    private static (ILoadScenario Scenario, ScenarioArguments Arguments, string? Json, string? Charts) Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("name a scenario.");
        }

        var scenario = Scenarios.FirstOrDefault(s => s.Name == args[0])
            ?? throw new ArgumentException($"unknown scenario '{args[0]}' (one of: {string.Join(", ", Scenarios.Select(s => s.Name))}).");
        var quick = false;
        string? json = null, charts = null, trace = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"unexpected argument '{args[i]}'.");
            if (name == "quick")
            {
                quick = true;
                continue;
            }

            if (name is not ("json" or "charts") && !scenario.Options.Contains(name))
            {
                throw new ArgumentException($"{scenario.Name} takes no option --{name}.");
            }

            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
            switch (name)
            {
                case "json":
                    json = value;
                    break;
                case "charts":
                    charts = value;
                    break;
                case "trace":
                    trace = value;
                    break;
                default:
                    values[name] = value;
                    break;
            }
        }

        return (scenario, new ScenarioArguments(quick, values, trace), json, charts);
    }

    private static string Indent(string text) => string.Join("\n", text.TrimEnd().Split('\n').Select(l => "  " + l.TrimEnd()));
}
