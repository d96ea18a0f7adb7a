using System.Globalization;
using System.Text;
using FleetGrains.Cli.Through;
using FleetGrains.Detection;
using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;

namespace FleetGrains.Cli;

/// <summary>
/// <c>fleetctl replay</c>: a user's own CSV history through a window model (an autoencoder, or an LSTM forecaster;
/// <c>--model</c>, by default chosen from the data) trained here on its leading rows and a device's alarm policy, or
/// with <c>--through</c> scored by a running FleetGrains.
/// </summary>
public static class ReplayCommand
{
    public static Task<int> RunAsync(CommandLine line, HttpClient http, TextWriter output, TextWriter error) =>
        LocalCommand.RunAsync(error, async () =>
        {
            line.ExpectArguments(1, "replay <csv> [--columns ...] [--model autoencoder|lstm] [--window W] [--train-rows N | --train-fraction F] [--label col] [--out file] | replay <csv> --through <url> --fleet <fleetId> ...");
            var path = line.Arguments[0];
            var input = ReplayInput.Read(line, path);
            var outPath = line.Option("out") ?? Path.ChangeExtension(path, ".scores.csv");
            return line.Option("through") is { } url
                ? await ReplayThrough.RunAsync(line, input, new FleetApiClient(http, ThroughUrl.Parse(url)), outPath, output)
                : await RunHereAsync(line, input, outPath, output);
        });

    private static async Task<int> RunHereAsync(CommandLine line, ReplayInput input, string outPath, TextWriter output)
    {
        var trainRows = TrainRows(line, input.File.Rows.Count);
        var model = line.Option("model") is { } kind
            ? new WindowModelOptions { Kind = WindowModelOptions.ParseKind(kind) }
            : WindowModelOptions.DefaultFor(input.Columns.Count);
        if (line.PositiveInt("window") is { } w)
        {
            model = model.WithWindow(w);
        }

        if (line.PositiveInt("epochs") is { } e)
        {
            model = model.WithEpochs(e);
        }

        var result = CsvReplay.Run(input.File, new CsvReplayOptions(input.Columns, trainRows, input.Label, model));
        await File.WriteAllTextAsync(outPath, ToCsv(result));
        var episodesPath = Path.ChangeExtension(outPath, ".episodes.csv");
        await File.WriteAllTextAsync(episodesPath, EpisodesCsv(result));

        await output.WriteLineAsync($"trained {model.Name} (window {model.Window}) on rows 0-{trainRows - 1} ({input.ColumnNames}): {result.Epochs} epochs, {result.TrainingSeconds:F1} s");
        await output.WriteLineAsync($"alarms: a device's alarm policy, calibrated on the training rows' own scores: {AlarmPolicies.ModelScores.Describe()}");
        await output.WriteLineAsync($"threshold {result.Threshold.ToString("G6", CultureInfo.InvariantCulture)} as learned");
        await output.WriteLineAsync(
            $"scored rows {trainRows}-{trainRows + result.Rows.Count - 1}: {result.Episodes.Count} alarm episodes ({result.Episodes.Count(e => e.NewNormal)} ended as a new normal), " +
            $"{result.Rows.Count(r => r.Alarm)} rows in them; wrote {outPath} and {episodesPath}");
        foreach (var episode in result.Episodes.Take(20))
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"  rows {episode.Start}-{episode.End}: {episode.Level}, peak {episode.Peak:G4} at row {episode.PeakRow}{(episode.NewNormal ? ", then accepted as the new normal" : "")}"));
        }

        if (result.Episodes.Count > 20)
        {
            await output.WriteLineAsync($"  ... {result.Episodes.Count - 20} more in {episodesPath}");
        }

        if (result.AgainstLabels is { } c)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"against '{input.File.Header[input.Label!.Value]}': precision {c.Precision:0.000}, recall {c.Recall:0.000}, F1 {c.F1:0.000} (point-wise, rows in alarm episodes)"));
        }

        return 0;
    }

    private static int TrainRows(CommandLine line, int rows)
    {
        if (line.PositiveInt("train-rows") is { } n)
        {
            return n;
        }

        var fraction = line.Option("train-fraction") ?? "0.5";
        return double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is > 0 and < 1
            ? (int)(rows * f)
            : throw new ArgumentException($"--train-fraction must be between 0 and 1, got '{fraction}'.");
    }

    private static string EpisodesCsv(CsvReplayResult result)
    {
        var csv = new StringBuilder("start_row,end_row,peak_row,peak_score,level,new_normal\n");
        foreach (var e in result.Episodes)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.Start},{e.End},{e.PeakRow},{e.Peak:G9},{e.Level},{(e.NewNormal ? 1 : 0)}\n");
        }

        return csv.ToString();
    }

    private static string ToCsv(CsvReplayResult result)
    {
        var csv = new StringBuilder("row,score,threshold,alarm,label\n");
        foreach (var r in result.Rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Row},{r.Score:G9},{r.Threshold:G9},{(r.Alarm ? 1 : 0)},{r.Label}\n");
        }

        return csv.ToString();
    }
}
