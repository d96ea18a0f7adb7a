using System.Globalization;
using System.Text.Json;
using FleetGrains.Cli.Through;
using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;

namespace FleetGrains.Cli;

/// <summary><c>fleetctl eval smd|cmapss</c>: model quality on a benchmark, computed on this machine (smd also through a running FleetGrains).</summary>
public static class EvalCommand
{
    public static Task<int> RunAsync(CommandLine line, HttpClient http, TextWriter output, TextWriter error) =>
        LocalCommand.RunAsync(error, async () =>
        {
            line.ExpectArguments(1, "eval smd|cmapss --data <dir> ...");
            var data = line.Option("data") ?? throw new ArgumentException($"eval {line.Arguments[0]} needs --data <dir>.");
            return line.Arguments[0] switch
            {
                "smd" when line.Option("through") is { } url => await EvalSmdThrough.RunAsync(line, data, new FleetApiClient(http, ThroughUrl.Parse(url)), output, error),
                _ when line.Option("through") is not null => throw new ArgumentException($"--through evaluates smd; eval {line.Arguments[0]} runs here only."),
                "smd" => await SmdAsync(line, data, output, error),
                "cmapss" => await CmapssAsync(line, data, output, error),
                var other => throw new ArgumentException($"unknown benchmark '{other}'; this version evaluates: smd, cmapss."),
            };
        });

    private static async Task<int> SmdAsync(CommandLine line, string data, TextWriter output, TextWriter error)
    {
        var options = ModelArguments.Smd(line);
        var synthetic = line.Flag("synthetic-tail");
        var seeds = PlantingSeeds(line, synthetic);
        var machines = line.Option("machines")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? [.. SmdMachine.Available(data)];
        if (machines.Length == 0)
        {
            throw new DataFormatException($"{data}: no machine has train, test and test_label files.");
        }

        var results = new List<SmdMachineResult>();
        foreach (var name in machines)
        {
            var machine = SmdMachine.Load(data, name);
            foreach (var evaluated in synthetic ? seeds.Select(seed => SyntheticAnomalies.TrainingTail(machine, seed: seed)) : [machine])
            {
                var result = SmdEvaluation.Evaluate(evaluated, options);
                results.Add(result);
                await error.WriteLineAsync($"{evaluated.Name}: trained {result.Epochs} epochs in {result.TrainingSeconds:F0} s");
            }
        }

        if (line.Flag("json"))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { options, machines = results, mean = Mean(results) }, FleetApiClient.Json));
        }
        else
        {
            WriteTable(results, options, output);
            if (synthetic)
            {
                await output.WriteLineAsync($"Synthetic tail: trained on the first 90 % of each machine's training rows and tested on the last 10 % with planted anomalies (seeds {string.Join(", ", seeds)}; no test rows or labels read).");
            }
        }

        return 0;
    }

    // Where --synthetic-tail plants its anomalies: one tail per machine and seed, judged together (a single seed plants
    // only a handful of segments per machine, so its means move a lot).
    private static int[] PlantingSeeds(CommandLine line, bool synthetic)
    {
        if (line.Option("seeds") is not { } text)
        {
            return [SyntheticAnomalies.DefaultSeed];
        }

        if (!synthetic)
        {
            throw new ArgumentException("--seeds chooses where --synthetic-tail plants its anomalies; add --synthetic-tail.");
        }

        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : -1).Distinct().ToArray();
        return parts.Length > 0 && !seeds.Contains(-1)
            ? seeds
            : throw new ArgumentException($"--seeds takes whole numbers separated by commas, e.g. 7,8,9; got '{text}'.");
    }

    private static async Task<int> CmapssAsync(CommandLine line, string data, TextWriter output, TextWriter error)
    {
        var subset = line.Option("subset") ?? throw new ArgumentException("eval cmapss needs --subset FD001|FD003.");
        var options = ModelArguments.Cmapss(line);
        var result = CmapssEvaluation.Evaluate(CmapssSubset.Load(data, subset), options, ModelArguments.CmapssAlsoTrainOn(line, data, subset));
        await error.WriteLineAsync($"{subset}: trained {result.Networks} network(s), {result.Epochs} epochs in all, in {result.TrainingSeconds:F0} s on {result.TrainEngines} engines of {string.Join(" + ", result.TrainedOn)}, {result.Sensors} sensors; validation RMSE {result.ValidationRmse:F2}, test-like {result.TestLikeRmse:F2} (training engines held out from the network judging them)");
        if (line.Flag("json"))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { options, result }, FleetApiClient.Json));
            return 0;
        }

        static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var table = new TableWriter("SUBSET", "MODEL", "RMSE", "PHM08 SCORE", "TEST ENGINES");
        foreach (var r in new[] { result.Model, result.Ridge })
        {
            table.Add(subset, r.Model, F(r.Rmse), F(r.PhmScore), result.TestEngines.ToString(CultureInfo.InvariantCulture));
        }

        table.WriteTo(output);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Predictions at each test engine's last cycle against RUL_{subset}; training targets capped at {options.RulCap:0}.");
        return 0;
    }

    private static object Mean(IReadOnlyList<SmdMachineResult> results) => new
    {
        aggregation = "unweighted mean of per-machine figures",
        model = MeanOf(results.Select(r => r.Model).ToList()),
        pca = MeanOf(results.Select(r => r.Pca).ToList()),
    };

    private static object MeanOf(IReadOnlyList<DetectorResult> d) => new
    {
        detector = d.Count > 0 ? d[0].Detector : null,
        episodes = d.Average(r => r.Episodes),
        precision = d.Average(r => r.PointWise.Precision),
        recall = d.Average(r => r.PointWise.Recall),
        f1 = d.Average(r => r.F1),
        adjustedF1 = d.Average(r => r.AdjustedF1),
        bestF1 = d.Average(r => r.BestF1),
        bestAdjustedF1 = d.Average(r => r.BestAdjustedF1),
    };

    private static void WriteTable(IReadOnlyList<SmdMachineResult> results, SmdEvaluationOptions options, TextWriter output)
    {
        static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var table = new TableWriter("MACHINE", "DETECTOR", "EPISODES", "PRECISION", "RECALL", "F1", "PA-F1", "BEST F1", "BEST PA-F1");
        foreach (var r in results)
        {
            foreach (var d in new[] { r.Model, r.Pca })
            {
                table.Add(r.Machine, d.Detector, d.Episodes.ToString(CultureInfo.InvariantCulture), F(d.PointWise.Precision), F(d.PointWise.Recall), F(d.F1), F(d.AdjustedF1), F(d.BestF1), F(d.BestAdjustedF1));
            }
        }

        foreach (var (name, pick) in new (string, Func<SmdMachineResult, DetectorResult>)[] { (options.Model.Name, r => r.Model), ("pca", r => r.Pca) })
        {
            var d = results.Select(pick).ToList();
            table.Add("mean", name, d.Average(x => x.Episodes).ToString("0.#", CultureInfo.InvariantCulture), F(d.Average(x => x.PointWise.Precision)), F(d.Average(x => x.PointWise.Recall)), F(d.Average(x => x.F1)),
                F(d.Average(x => x.AdjustedF1)), F(d.Average(x => x.BestF1)), F(d.Average(x => x.BestAdjustedF1)));
        }

        table.WriteTo(output);
        output.WriteLine();
        output.WriteLine($"Alarms: a device's alarm policy on each detector's scores, calibrated on its own scores of the training rows (no labels): {options.Alarms.Describe()}.");
        output.WriteLine("PRECISION, RECALL, F1: the test rows inside alarm episodes against the labels; EPISODES: how many the policy raised.");
        output.WriteLine("PA-F1: point-adjusted. BEST columns search every threshold on the test labels, for reference only.");
        output.WriteLine("Mean: the unweighted mean of the per-machine figures.");
    }
}
