using System.Diagnostics;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

public sealed record RulResult(string Model, double Rmse, double PhmScore, float[] Predictions);

/// <summary>
/// <see cref="ValidationRmse"/>: the RMSE (in cycles, capped target) on training engines held out from the network
/// judging them (one fold per member of an ensemble, <see cref="RulModel.Train"/>); <see cref="TestLikeRmse"/>: on the
/// same engines cut at random cycles as the test files are, against the true RUL — what configuration choices may look
/// at. <see cref="Epochs"/>: over all members of the ensemble. <see cref="TrainedOn"/>: the subsets whose training engines
/// the model learnt from (the evaluated subset first).
/// </summary>
public sealed record CmapssResult(string Subset, IReadOnlyList<string> TrainedOn, int TrainEngines, int TestEngines, int Sensors, int Networks, RulResult Model, RulResult Ridge, int Epochs, double TrainingSeconds, double ValidationRmse, double TestLikeRmse);

/// <summary>
/// Trains the RUL model and the ridge baseline on <c>train_FDxxx</c> (and, when asked, on the run-to-failure engines of
/// other subsets too), predicts at the last cycle of every test engine, and compares with <c>RUL_FDxxx</c> (RMSE and the
/// PHM08 score).
/// </summary>
public static class CmapssEvaluation
{
    public static CmapssResult Evaluate(CmapssSubset subset, RulOptions options, IReadOnlyList<CmapssSubset>? alsoTrainOn = null) =>
        EvaluateAndKeep(subset, options, alsoTrainOn).Result;

    /// <summary>
    /// The evaluation and the RUL model it trained. <paramref name="alsoTrainOn"/>: subsets whose training engines are
    /// added to the training set (interleaved, <see cref="EngineMix.Interleave"/>); their test engines are never read.
    /// </summary>
    public static (CmapssResult Result, RulModel Model) EvaluateAndKeep(CmapssSubset subset, RulOptions options, IReadOnlyList<CmapssSubset>? alsoTrainOn = null)
    {
        var sources = new List<CmapssSubset> { subset };
        foreach (var other in alsoTrainOn ?? [])
        {
            if (sources.Any(s => s.Name == other.Name))
            {
                throw new ArgumentException($"{other.Name} is already in the training set ({string.Join(", ", sources.Select(s => s.Name))}).", nameof(alsoTrainOn));
            }

            sources.Add(other);
        }

        var train = EngineMix.Interleave([.. sources.Select(s => s.Train)]);
        var stopwatch = Stopwatch.StartNew();
        var model = RulModel.Create(train, options);
        var report = model.Train(train, options.Training);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var ridge = RidgeRulBaseline.Fit(train, model);

        return (new CmapssResult(
            subset.Name,
            [.. sources.Select(s => s.Name)],
            train.Count,
            subset.Test.Count,
            model.Sensors.Length,
            model.Networks.Count,
            Result(options.Network == RulNetwork.Lstm ? "lstm" : "tcn", model.PredictAtLastCycle(subset.Test), subset.TestRul),
            Result("ridge", ridge.PredictAtLastCycle(subset.Test), subset.TestRul),
            report.Epochs,
            seconds,
            report.ValidationRmse,
            report.TestLikeRmse), model);
    }

    private static RulResult Result(string name, float[] predicted, float[] actual) =>
        new(name, RegressionMetrics.Rmse(predicted, actual), RegressionMetrics.PhmScore(predicted, actual), predicted);
}
