using System.Diagnostics;
using FleetGrains.Detection;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

/// <summary>How the SMD evaluation trains and thresholds. Thresholds never look at labels.</summary>
public sealed record SmdEvaluationOptions
{
    /// <summary>The deep model evaluated beside PCA: the autoencoder unless set otherwise.</summary>
    public WindowModelOptions Model { get; init; } = new();

    /// <summary>
    /// How both detectors' scores become alarms: a device's alarm policy, its threshold learned from the detector's
    /// own scores on the training rows (<see cref="AlarmReplay"/>).
    /// </summary>
    public AlarmPolicy Alarms { get; init; } = AlarmPolicies.ModelScores;

    /// <summary>The share of variance the PCA baseline keeps.</summary>
    public double PcaVariance { get; init; } = 0.95;
}

/// <summary>
/// One detector on one machine: its label-free threshold (as learned from the training rows), the alarm episodes the
/// alarm policy raised and what the rows in them give, plus the best F1 over thresholds for reference.
/// </summary>
public sealed record DetectorResult(string Detector, float Threshold, int Episodes, Confusion PointWise, double AdjustedF1, double BestF1, double BestAdjustedF1)
{
    public double F1 => PointWise.F1;
}

public sealed record SmdMachineResult(string Machine, int TrainRows, int TestRows, int Anomalies, DetectorResult Model, DetectorResult Pca, int Epochs, double TrainingSeconds);

/// <summary>
/// Per machine: train the window model (autoencoder or LSTM forecaster) and the PCA baseline on <c>train/</c>, score every row
/// of <c>test/</c> (the window ending at a row scores it; the last W − 1 training rows give the first
/// test rows their context), judge each detector's test scores with a device's alarm policy calibrated on its
/// training scores, and compare the rows in alarm episodes with the labels.
/// </summary>
public static class SmdEvaluation
{
    public static SmdMachineResult Evaluate(SmdMachine machine, SmdEvaluationOptions options) => EvaluateAndKeep(machine, options).Result;

    /// <summary>The evaluation and the model it trained.</summary>
    public static (SmdMachineResult Result, IWindowScorer Model) EvaluateAndKeep(SmdMachine machine, SmdEvaluationOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = options.Model.Create(machine.Train);
        var report = model.Train(machine.Train, options.Model.Training);
        var trainingSeconds = stopwatch.Elapsed.TotalSeconds;

        var modelTrainScores = model.Score(machine.Train).Scores;
        var context = machine.Train.Skip(machine.Train.Count - (model.Window - 1)).Concat(machine.Test).ToList();
        var modelTestScores = model.Score(context).Scores;

        var pca = PcaModel.Fit(machine.Train, options.PcaVariance);
        var pcaTrainScores = pca.Score(machine.Train);
        var pcaTestScores = pca.Score(machine.Test);

        return (new SmdMachineResult(
            machine.Name,
            machine.Train.Count,
            machine.Test.Count,
            machine.Labels.Count(l => l),
            Detect(options.Model.Name, modelTrainScores, modelTestScores, options.Alarms, machine.Labels),
            Detect("pca", pcaTrainScores, pcaTestScores, options.Alarms, machine.Labels),
            report.TrainLoss.Count,
            trainingSeconds), model);
    }

    public static DetectorResult Detect(string name, float[] trainScores, float[] scores, AlarmPolicy policy, bool[] labels)
    {
        var alarms = AlarmReplay.Run(trainScores, scores, policy);
        var flags = alarms.InEpisode;
        return new DetectorResult(
            name,
            alarms.Threshold,
            alarms.Episodes.Count,
            DetectionMetrics.Confusion(flags, labels),
            DetectionMetrics.Confusion(DetectionMetrics.PointAdjust(flags, labels), labels).F1,
            DetectionMetrics.BestF1(scores, labels, pointAdjusted: false).F1,
            DetectionMetrics.BestF1(scores, labels, pointAdjusted: true).F1);
    }

    /// <summary>The <paramref name="q"/> quantile (nearest rank) of <paramref name="values"/>.</summary>
    public static float Quantile(IEnumerable<float> values, double q)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No values to take a quantile of.", nameof(values));
        }

        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
