using System.Diagnostics;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

/// <summary>
/// How a RUL model trained on run-to-failure histories does on other such histories, at every window (RUL
/// in steps of the histories, target capped): RMSE, and as a maintenance plan sees it — how long before the
/// failure the prediction first reached the planning horizon (the lead), and how many runs it reached the
/// horizon for while their true RUL was still above twice the horizon (early alarms).
/// </summary>
public sealed record RunToFailureResult(
    int TrainRuns, int TestRuns, double Rmse, double MeanLead, double MinLead, int Missed, int EarlyAlarms, int Epochs, double TrainingSeconds, double ValidationRmse);

public static class RunToFailureEvaluation
{
    public static (RunToFailureResult Result, RulModel Model) EvaluateAndKeep(
        IReadOnlyList<List<float[]>> train, IReadOnlyList<List<float[]>> test, RulOptions options, float horizon)
    {
        var trainRuns = train.Select((cycles, i) => new EngineRun(i + 1, cycles)).ToList();
        var stopwatch = Stopwatch.StartNew();
        var model = RulModel.Create(trainRuns, options);
        var report = model.Train(trainRuns, options.Training);
        var seconds = stopwatch.Elapsed.TotalSeconds;

        double squaredError = 0;
        var windows = 0;
        var leads = new List<double>();
        var early = 0;
        foreach (var (cycles, i) in test.Select((c, i) => (c, i)))
        {
            var run = new EngineRun(i + 1, cycles);
            var ends = Enumerable.Range(model.Window - 1, cycles.Count - model.Window + 1).ToArray();
            var predicted = model.Predict([.. ends.SelectMany(end => model.NetworkWindow(run, end))], ends.Length);
            int? firstWithinHorizon = null;
            for (var k = 0; k < ends.Length; k++)
            {
                var actual = cycles.Count - 1 - ends[k];
                squaredError += Math.Pow(predicted[k] - Math.Min(actual, model.Cap), 2);
                windows++;
                if (firstWithinHorizon is null && predicted[k] <= horizon)
                {
                    firstWithinHorizon = actual;
                }
            }

            if (firstWithinHorizon is { } lead)
            {
                leads.Add(lead);
                early += lead > 2 * horizon ? 1 : 0;
            }
        }

        return (new RunToFailureResult(
            train.Count,
            test.Count,
            Math.Sqrt(squaredError / windows),
            leads.Count == 0 ? 0 : leads.Average(),
            leads.Count == 0 ? 0 : leads.Min(),
            test.Count - leads.Count,
            early,
            report.Epochs,
            seconds,
            report.ValidationRmse), model);
    }
}
