using System.Globalization;
using System.Text.Json;
using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;

namespace FleetGrains.Cli;

/// <summary><c>fleetctl eval smd</c>: model quality on a benchmark, computed on this machine.</summary>
public static class EvalCommand
{
    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error)
    {
        try
        {
            line.ExpectArguments(1, "eval smd --data <dir> [--machines m1,m2] [--epochs N]");
            if (line.Arguments[0] != "smd")
            {
                throw new ArgumentException($"unknown benchmark '{line.Arguments[0]}'; this version evaluates: smd.");
            }

            var data = line.Option("data") ?? throw new ArgumentException("eval smd needs --data <dir> (the SMD folder with train/, test/, test_label/).");
            var options = new SmdEvaluationOptions();
            if (line.Option("epochs") is { } epochs)
            {
                if (!int.TryParse(epochs, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                {
                    throw new ArgumentException($"--epochs must be a positive whole number, got '{epochs}'.");
                }

                options = options with { Autoencoder = options.Autoencoder with { Training = options.Autoencoder.Training with { Epochs = n } } };
            }

            var machines = line.Option("machines")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? [.. SmdMachine.Available(data)];
            if (machines.Length == 0)
            {
                throw new DataFormatException($"{data}: no machine has train, test and test_label files.");
            }

            var results = new List<SmdMachineResult>();
            foreach (var name in machines)
            {
                var result = SmdEvaluation.Evaluate(SmdMachine.Load(data, name), options);
                results.Add(result);
                if (!line.Flag("json"))
                {
                    await error.WriteLineAsync($"{name}: trained {result.Epochs} epochs in {result.TrainingSeconds:F0} s");
                }
            }

            if (line.Flag("json"))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { options, machines = results, mean = Mean(results) }, FleetApiClient.Json));
            }
            else
            {
                WriteTable(results, options, output);
            }

            return 0;
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 2;
        }
        catch (DataFormatException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 1;
        }
    }

    private static object Mean(IReadOnlyList<SmdMachineResult> results) => new
    {
        aggregation = "unweighted mean of per-machine figures",
        autoencoder = MeanOf(results.Select(r => r.Autoencoder).ToList()),
        pca = MeanOf(results.Select(r => r.Pca).ToList()),
    };

    private static object MeanOf(IReadOnlyList<DetectorResult> d) => new
    {
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
        var table = new TableWriter("MACHINE", "DETECTOR", "PRECISION", "RECALL", "F1", "PA-F1", "BEST F1", "BEST PA-F1");
        foreach (var r in results)
        {
            foreach (var d in new[] { r.Autoencoder, r.Pca })
            {
                table.Add(r.Machine, d.Detector, F(d.PointWise.Precision), F(d.PointWise.Recall), F(d.F1), F(d.AdjustedF1), F(d.BestF1), F(d.BestAdjustedF1));
            }
        }

        foreach (var (name, pick) in new (string, Func<SmdMachineResult, DetectorResult>)[] { ("autoencoder", r => r.Autoencoder), ("pca", r => r.Pca) })
        {
            var d = results.Select(pick).ToList();
            table.Add("mean", name, F(d.Average(x => x.PointWise.Precision)), F(d.Average(x => x.PointWise.Recall)), F(d.Average(x => x.F1)),
                F(d.Average(x => x.AdjustedF1)), F(d.Average(x => x.BestF1)), F(d.Average(x => x.BestAdjustedF1)));
        }

        table.WriteTo(output);
        output.WriteLine();
        output.WriteLine($"Thresholds: the {options.ThresholdQuantile:0.0##} quantile of each detector's own scores on the training rows (no labels).");
        output.WriteLine("PA-F1: point-adjusted. BEST columns search every threshold on the test labels, for reference only.");
        output.WriteLine("Mean: the unweighted mean of the per-machine figures.");
    }
}
