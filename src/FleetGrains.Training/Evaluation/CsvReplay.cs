using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

/// <summary>What to replay: the feature columns, how many leading rows train, and an optional label column.</summary>
public sealed record CsvReplayOptions(IReadOnlyList<int> FeatureColumns, int TrainRows, int? LabelColumn, AutoencoderOptions Autoencoder, double ThresholdQuantile = 0.995);

/// <summary>One scored row: its 0-based data row, score, the threshold and whether it raised an alarm, and its label if any.</summary>
public sealed record ReplayRow(int Row, float Score, float Threshold, bool Alarm, string? Label);

public sealed record CsvReplayResult(IReadOnlyList<ReplayRow> Rows, float Threshold, int Epochs, double TrainingSeconds, Confusion? AgainstLabels);

/// <summary>
/// The path a user takes with their own history: train a window autoencoder on the leading rows of a
/// CSV, learn its threshold from its own scores on those rows (the device rule: a high quantile, no
/// labels), and score every later row. A label column is passed through and, if it holds 0/1, compared.
/// </summary>
public static class CsvReplay
{
    public static CsvReplayResult Run(DelimitedFile file, CsvReplayOptions options)
    {
        var rows = file.Numbers(options.FeatureColumns);
        var window = options.Autoencoder.Window;
        if (options.TrainRows < window + 10 || options.TrainRows >= rows.Count)
        {
            throw new DataFormatException(
                $"{file.Path}: {rows.Count} data rows; training needs at least {window + 10} leading rows and leaves at least one to score (asked for {options.TrainRows}).");
        }

        var train = rows.Take(options.TrainRows).ToList();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var model = WindowAutoencoder.Create(train, options.Autoencoder);
        var report = model.Train(train, options.Autoencoder.Training);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var threshold = SmdEvaluation.Quantile(model.Score(train).Scores, options.ThresholdQuantile);

        var context = rows.Skip(options.TrainRows - (window - 1)).ToList();
        var scores = model.Score(context).Scores;
        var replayed = new List<ReplayRow>(scores.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            var row = options.TrainRows + i;
            var label = options.LabelColumn is { } c ? file.Rows[row].Cells[c] : null;
            replayed.Add(new ReplayRow(row, scores[i], threshold, scores[i] >= threshold, label));
        }

        return new CsvReplayResult(replayed, threshold, report.TrainLoss.Count, seconds, CompareWithLabels([.. replayed.Select(r => r.Alarm)], [.. replayed.Select(r => r.Label)]));
    }

    /// <summary>
    /// Alarms against a label column that reads as 0/1 (or true/false); null when any label is something
    /// else (such a column is only passed through).
    /// </summary>
    public static Confusion? CompareWithLabels(IReadOnlyList<bool> alarms, IReadOnlyList<string?> labels)
    {
        var truth = new bool[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            switch (labels[i])
            {
                case "1" or "1.0" or "true" or "True":
                    truth[i] = true;
                    break;
                case "0" or "0.0" or "false" or "False":
                    break;
                default:
                    return null;
            }
        }

        return DetectionMetrics.Confusion([.. alarms], truth);
    }
}
