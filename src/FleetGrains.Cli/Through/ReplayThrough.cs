using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.Ingestion;
using FleetGrains.Training.Evaluation;

namespace FleetGrains.Cli.Through;

/// <summary>
/// <c>fleetctl replay &lt;csv&gt; --through &lt;url&gt; --fleet F</c>: the CSV's rows become a new device of
/// fleet F in a running FleetGrains, scored there by the fleet's anomaly model (or the one <c>--model</c>
/// assigns) with the device's own learned threshold; the scores read back are checked against the same
/// model file run here over the same windows.
/// </summary>
public static class ReplayThrough
{
    private static readonly string[] LocalTrainingOptions = ["train-rows", "train-fraction", "window", "epochs"];

    public static async Task<int> RunAsync(CommandLine line, ReplayInput input, FleetApiClient api, string outPath, TextWriter output)
    {
        if (LocalTrainingOptions.FirstOrDefault(o => line.Option(o) is not null) is { } local)
        {
            throw new ArgumentException($"--{local} is for training a model here; with --through the server's model scores every row.");
        }

        var fleetId = Id(line, "fleet") ?? throw new ArgumentException("replay --through needs --fleet <fleetId>: its anomaly model scores the rows.");
        var deviceId = Id(line, "device") ?? $"replay-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var system = new SystemReplay(api);
        var assignment = line.Option("model") is { } key
            ? await system.AssignAnomalyModelAsync(fleetId, ParseModel(key))
            : await system.ModelsAsync(fleetId);
        var served = assignment.Anomaly ?? throw new ArgumentException(
            $"fleet {fleetId} has no anomaly model{(assignment.Problem is { } problem ? $" ({problem})" : "")}; assign one with --model <id>@<version>.");
        using var offline = OfflineModel.Load(served, line.Option("models"));

        var rows = input.File.Numbers(input.Columns);
        var result = await system.RunAsync(fleetId, deviceId, rows);
        if (result.Scorer != served.Model.Key)
        {
            throw new FleetApiException(
                $"{fleetId}/{deviceId} was scored by {result.Scorer}, not {served.Model}. A silo may still hold the fleet's previous models; wait Fleet:Models:RefreshInterval after assigning and replay into a new device.");
        }

        var offlineScores = offline.ScoreRows(rows);
        var agreement = ScoreAgreement.Compare(result.Scores, offlineScores);
        var alarms = Enumerable.Range(0, rows.Count).Select(r => result.Scores[r] >= result.Thresholds[r]).ToArray();
        await File.WriteAllTextAsync(outPath, ToCsv(result, offlineScores, alarms, input));

        await output.WriteLineAsync($"sent {rows.Count} rows ({input.ColumnNames}) to {fleetId}/{deviceId} at {api.BaseUrl}: scored by {served.Model}, the same file as {offline.Path}");
        await output.WriteLineAsync($"system vs offline (same model, same windows): {agreement.Describe()}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"the device's threshold: {FleetCtl.Format(result.Device.Threshold.Effective)} after {result.Device.Threshold.CalibrationScores} calibration scores; {alarms.Count(a => a)} rows at or above it; wrote {outPath}"));
        if (input.Label is { } label && CsvReplay.CompareWithLabels(alarms, [.. Enumerable.Range(0, rows.Count).Select(input.LabelOf)]) is { } c)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"against '{input.File.Header[label]}': precision {c.Precision:0.000}, recall {c.Recall:0.000}, F1 {c.F1:0.000} (point-wise, every row)"));
        }

        foreach (var row in agreement.Disagreeing.Take(5))
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  row {row}: system {result.Scores[row]:G9}, offline {offlineScores[row]:G9}"));
        }

        return agreement.Agrees ? 0 : 1;
    }

    public static ModelRef ParseModel(string key)
    {
        try
        {
            return ModelRef.Parse(key);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"--model: {ex.Message}");
        }
    }

    private static string? Id(CommandLine line, string option) =>
        line.Option(option) is not { } id ? null
        : TelemetryValidator.IsValidId(id) ? id
        : throw new ArgumentException($"--{option} '{id}' is not an id (letters, digits, '-', '_', '.', ':').");

    private static string ToCsv(SystemScores result, float[] offlineScores, bool[] alarms, ReplayInput input)
    {
        static string Number(float value) => float.IsNaN(value) ? "" : value.ToString("G9", CultureInfo.InvariantCulture);
        var csv = new StringBuilder("row,score,offline_score,threshold,alarm,label\n");
        for (var row = 0; row < alarms.Length; row++)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{row},{Number(result.Scores[row])},{Number(offlineScores[row])},{Number(result.Thresholds[row])},{(alarms[row] ? 1 : 0)},{input.LabelOf(row)}\n");
        }

        return csv.ToString();
    }
}
