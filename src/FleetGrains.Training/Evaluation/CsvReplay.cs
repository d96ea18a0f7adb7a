using FleetGrains.Detection;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Evaluation;

/// <summary>
/// What to replay: the feature columns, how many leading rows train, an optional label column, and the alarm policy
/// (a device's by default; its calibration count is the number of training rows scored).
/// </summary>
public sealed record CsvReplayOptions(IReadOnlyList<int> FeatureColumns, int TrainRows, int? LabelColumn, WindowModelOptions Model)
{
    public AlarmPolicy Alarms { get; init; } = AlarmPolicies.ModelScores;
}

/// <summary>One scored row: its 0-based data row, score, the threshold it was judged against, whether it lies in an alarm episode, and its label if any.</summary>
public sealed record ReplayRow(int Row, float Score, float Threshold, bool Alarm, string? Label);

/// <summary>An alarm episode of a replay, in data rows.</summary>
public sealed record ReplayEpisode(int Start, int End, int PeakRow, float Peak, AlarmLevel Level, bool NewNormal);

public sealed record CsvReplayResult(IReadOnlyList<ReplayRow> Rows, IReadOnlyList<ReplayEpisode> Episodes, float Threshold, int Epochs, double TrainingSeconds, Confusion? AgainstLabels);

/// <summary>
/// The path a user takes with their own history: train a window model (autoencoder or LSTM forecaster) on the leading rows of a
/// CSV, learn its threshold from its own scores on those rows and judge every later row's score with a
/// device's alarm policy (<see cref="AlarmReplay"/>: the same code as the device grains, no labels). A label
/// column is passed through and, if it holds 0/1, compared with the rows in alarm episodes.
/// </summary>
public static class CsvReplay
{
    public static CsvReplayResult Run(DelimitedFile file, CsvReplayOptions options)
    {
        var rows = file.Numbers(options.FeatureColumns);
        var window = options.Model.Window;
        if (options.TrainRows < window + 10 || options.TrainRows >= rows.Count)
        {
            throw new DataFormatException(
                $"{file.Path}: {rows.Count} data rows; training needs at least {window + 10} leading rows and leaves at least one to score (asked for {options.TrainRows}).");
        }

        var train = rows.Take(options.TrainRows).ToList();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var model = options.Model.Create(train);
        var report = model.Train(train, options.Model.Training);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var context = rows.Skip(options.TrainRows - (window - 1)).ToList();
        var scores = model.Score(context).Scores;
        var alarms = AlarmReplay.Run(model.Score(train).Scores, scores, options.Alarms);
        var replayed = new List<ReplayRow>(scores.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            var row = options.TrainRows + i;
            var label = options.LabelColumn is { } c ? file.Rows[row].Cells[c] : null;
            replayed.Add(new ReplayRow(row, scores[i], alarms.Thresholds[i], alarms.InEpisode[i], label));
        }

        var episodes = alarms.Episodes
            .Select(e => new ReplayEpisode(options.TrainRows + (int)e.Start, options.TrainRows + (int)e.End, options.TrainRows + (int)e.PeakAt, e.Peak, e.Level, e.NewNormal))
            .ToList();
        return new CsvReplayResult(replayed, episodes, alarms.Threshold, report.TrainLoss.Count, seconds, CompareWithLabels([.. replayed.Select(r => r.Alarm)], [.. replayed.Select(r => r.Label)]));
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
