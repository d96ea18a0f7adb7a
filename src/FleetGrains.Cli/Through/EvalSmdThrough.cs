using System.Globalization;
using System.Text.Json;
using FleetGrains.Detection;
using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;

namespace FleetGrains.Cli.Through;

/// <summary>One SMD machine evaluated through the system and, with the same model file, offline.</summary>
public sealed record SmdThroughResult(string Machine, string Fleet, string Device, string Model, ScoreAgreement Agreement, DetectorResult System, DetectorResult Offline);

/// <summary>
/// <c>fleetctl eval smd --through &lt;url&gt;</c>: each machine's committed autoencoder
/// (<c>smd-{machine}-autoencoder@1</c>) is assigned to fleet <c>smd-{machine}</c> of a running FleetGrains; the
/// machine's training and then test rows become one new device there; the scores read back are judged and
/// measured exactly as the offline evaluation does (a device's alarm policy calibrated on the training rows' scores),
/// beside the same model file run here over the same windows.
/// </summary>
public static class EvalSmdThrough
{
    public static async Task<int> RunAsync(CommandLine line, string data, FleetApiClient api, TextWriter output, TextWriter error)
    {
        var machines = line.Option("machines")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? [.. SmdMachine.Available(data)];
        if (machines.Length == 0)
        {
            throw new DataFormatException($"{data}: no machine has train, test and test_label files.");
        }

        if (line.Option("model") is not null && machines.Length != 1)
        {
            throw new ArgumentException("--model names the model of one machine; pass --machines with one machine.");
        }

        var alarms = new SmdEvaluationOptions().Alarms;
        var system = new SystemReplay(api);
        var device = $"eval-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var results = new List<SmdThroughResult>();
        foreach (var name in machines)
        {
            var machine = SmdMachine.Load(data, name);
            var fleet = $"smd-{name}";
            var model = ReplayThrough.ParseModel(line.Option("model") ?? $"smd-{name}-autoencoder@1");
            var served = (await system.AssignAnomalyModelAsync(fleet, model)).Anomaly!;
            using var offline = OfflineModel.Load(served, line.Option("models"));

            var rows = machine.Train.Concat(machine.Test).ToList();
            var scored = await system.RunAsync(fleet, device, rows);
            var offlineScores = offline.ScoreRows(rows);
            var agreement = ScoreAgreement.Compare(scored.Scores, offlineScores);
            var (train, test) = (machine.Train.Count, machine.Test.Count);
            DetectorResult Measure(string detector, float[] scores)
            {
                var trainScores = scores[(served.Window - 1)..train];
                var testScores = scores[train..];
                var unscored = trainScores.Concat(testScores).Count(float.IsNaN);
                if (unscored > 0)
                {
                    throw new FleetApiException(
                        $"{name}: {unscored} rows have no score through the system (scorer {scored.Scorer}, last error: {scored.Device.Scoring.LastError ?? "none"}); an evaluation needs Fleet:Devices:ScoreEvery = 1 and no ScoreInterval.");
                }

                return SmdEvaluation.Detect(detector, trainScores, testScores, alarms, machine.Labels);
            }

            results.Add(new SmdThroughResult(name, fleet, device, served.Model.Key, agreement, Measure("system", scored.Scores), Measure("offline", offlineScores)));
            await error.WriteLineAsync($"{name}: {rows.Count} rows through {fleet}/{device} ({served.Model}); {agreement.Describe()}");
        }

        if (line.Flag("json"))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { through = api.BaseUrl, alarmPolicy = alarms.Describe(), machines = results }, FleetApiClient.Json));
        }
        else
        {
            WriteTable(results, alarms, output);
        }

        return results.All(r => r.Agreement.Agrees) ? 0 : 1;
    }

    private static void WriteTable(IReadOnlyList<SmdThroughResult> results, AlarmPolicy alarms, TextWriter output)
    {
        static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var table = new TableWriter("MACHINE", "MODEL", "SCORES", "ROWS COMPARED", "MAX |DIFF|", "MAX REL DIFF", "PRECISION", "RECALL", "F1", "PA-F1", "BEST F1", "BEST PA-F1");
        foreach (var r in results)
        {
            foreach (var d in new[] { r.System, r.Offline })
            {
                table.Add(r.Machine, r.Model, d.Detector, r.Agreement.Compared.ToString(CultureInfo.InvariantCulture), r.Agreement.MaxAbsoluteDifference.ToString("0.##e-0", CultureInfo.InvariantCulture), r.Agreement.MaxRelativeDifference.ToString("0.##e-0", CultureInfo.InvariantCulture),
                    F(d.PointWise.Precision), F(d.PointWise.Recall), F(d.F1), F(d.AdjustedF1), F(d.BestF1), F(d.BestAdjustedF1));
            }
        }

        table.WriteTo(output);
        output.WriteLine();
        output.WriteLine("system: scored by the device grains and model hosts of the running FleetGrains, read back through the operator API.");
        output.WriteLine("offline: the same model file run in this process over the same windows.");
        output.WriteLine($"Alarms: a device's alarm policy on each one's scores, calibrated on its scores of the training rows (no labels), as in the offline evaluation: {alarms.Describe()}.");
        output.WriteLine($"Scores agree when |system - offline| <= {ScoreAgreement.Tolerance:0e-0} x max(1, |offline|); {results.Sum(r => r.Agreement.Disagreeing.Count)} rows do not.");
    }
}
