using System.Diagnostics;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

public sealed record RulResult(string Model, double Rmse, double PhmScore, float[] Predictions);

/// <summary>
/// <see cref="ValidationRmse"/>: the RMSE (in cycles, capped target) on training engines held out from the network
/// judging them (one fold per member of an ensemble, <see cref="RulModel.Train"/>); <see cref="TestLikeRmse"/>: on the
/// same engines cut at random cycles as the test files are, against the true RUL — what configuration choices may look
/// at. <see cref="Epochs"/>: over all members of the ensemble.
/// </summary>
public sealed record CmapssResult(string Subset, int TrainEngines, int TestEngines, int Sensors, int Networks, RulResult Model, RulResult Ridge, int Epochs, double TrainingSeconds, double ValidationRmse, double TestLikeRmse);

/// <summary>
/// Trains the RUL model and the ridge baseline on <c>train_FDxxx</c>, predicts at the last cycle of
/// every test engine, and compares with <c>RUL_FDxxx</c> (RMSE and the PHM08 score).
/// </summary>
public static class CmapssEvaluation
{
    public static CmapssResult Evaluate(CmapssSubset subset, RulOptions options) => EvaluateAndKeep(subset, options).Result;

    /// <summary>The evaluation and the RUL model it trained.</summary>
    public static (CmapssResult Result, RulModel Model) EvaluateAndKeep(CmapssSubset subset, RulOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = RulModel.Create(subset.Train, options);
        var report = model.Train(subset.Train, options.Training);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var ridge = RidgeRulBaseline.Fit(subset.Train, model);

        return (new CmapssResult(
            subset.Name,
            subset.Train.Count,
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
