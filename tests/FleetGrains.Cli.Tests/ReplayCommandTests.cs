using System.Globalization;
using FleetGrains.Training.Models;

namespace FleetGrains.Cli.Tests;

public sealed class ReplayCommandTests : WithTemporaryFolder
{
    /// <summary>A timestamp column, <paramref name="features"/> sine-wave features and a label; rows 700-704 and 850-854 carry planted spikes.</summary>
    internal static string WriteSeries(string folder, int features, int rows = 1000)
    {
        var random = new Random(3);
        var lines = new List<string> { string.Join(',', new[] { "timestamp" }.Concat(Enumerable.Range(0, features).Select(f => $"sensor{f}")).Append("label")) };
        for (var t = 0; t < rows; t++)
        {
            var anomalous = t is >= 700 and < 705 or >= 850 and < 855;
            var values = Enumerable.Range(0, features).Select(f =>
                (5 + Math.Sin((t / 10.0) + f) + (0.05 * random.NextDouble()) + (anomalous && f == 0 ? 4 : 0)).ToString("F4", CultureInfo.InvariantCulture));
            lines.Add(string.Join(',', new[] { $"2026-01-01T00:{t / 60 % 60:D2}:{t % 60:D2}Z" }.Concat(values).Append(anomalous ? "1" : "0")));
        }

        var path = Path.Combine(folder, $"series{features}.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Series(int features) => WriteSeries(Folder, features);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Replay_FindsThePlantedAnomalies_AndWritesTheScores(int features)
    {
        var csv = Series(features);
        var columns = string.Join(',', Enumerable.Range(0, features).Select(f => $"sensor{f}"));
        var scores = Path.Combine(Folder, "scores.csv");

        var (exit, output, error) = await Fleetctl.RunAsync("replay", csv, "--columns", columns, "--train-rows", "600", "--label", "label", "--epochs", "20", "--out", scores);

        Assert.True(exit == 0, error);
        var lines = await File.ReadAllLinesAsync(scores);
        Assert.Equal("row,score,threshold,alarm,label", lines[0]);
        Assert.Equal(401, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal("600", rows[0][0]);
        var alarmed = rows.Where(r => r[3] == "1").Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(alarmed, r => r is >= 700 and < 705);
        Assert.Contains(alarmed, r => r is >= 850 and < 855);
        Assert.Contains("against 'label': precision", output);

        // One alarm episode per planted anomaly, and no other.
        var episodes = (await File.ReadAllLinesAsync(Path.Combine(Folder, "scores.episodes.csv"))).Skip(1)
            .Select(l => l.Split(',')).Select(e => (Start: int.Parse(e[0], CultureInfo.InvariantCulture), End: int.Parse(e[1], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(2, episodes.Count);
        Assert.InRange(episodes[0].Start, 700, 704);
        Assert.InRange(episodes[1].Start, 850, 854);
        Assert.Contains(": 2 alarm episodes", output);
    }

    [Theory]
    [InlineData("flat")]
    [InlineData("square")]
    public async Task Replay_OfAFlatLineOrASquareWave_RaisesNoAlarm(string shape)
    {
        var csv = Path.Combine(Folder, $"{shape}.csv");
        File.WriteAllLines(csv, new[] { "value" }.Concat(Enumerable.Range(0, 2_000).Select(t => shape == "flat" ? "7.5" : (t / 40 % 2 == 0 ? "0" : "10"))));

        var (exit, output, error) = await Fleetctl.RunAsync("replay", csv, "--epochs", "5");

        Assert.True(exit == 0, error);
        Assert.Contains("trained lstm (window 16)", output); // one column: a temporal model by default
        Assert.Contains(": 0 alarm episodes", output);
        Assert.All((await File.ReadAllLinesAsync(Path.Combine(Folder, $"{shape}.scores.csv"))).Skip(1), l => Assert.Equal("0", l.Split(',')[3]));
    }

    [Fact]
    public async Task Replay_DefaultsToEveryColumnButTheLabel_AndHalfTheRowsForTraining()
    {
        var csv = Path.Combine(Folder, "plain.csv");
        File.WriteAllLines(csv, new[] { "a,b" }.Concat(Enumerable.Range(0, 200).Select(t => $"{Math.Sin(t / 5.0).ToString("F3", CultureInfo.InvariantCulture)},{t % 7}")));

        var (exit, output, error) = await Fleetctl.RunAsync("replay", csv, "--epochs", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("trained autoencoder (window 1) on rows 0-99 (a, b)", output);
        Assert.True(File.Exists(Path.Combine(Folder, "plain.scores.csv")));
    }

    [Fact]
    public async Task Replay_BadInput_NamesTheFileAndLine()
    {
        var ragged = Path.Combine(Folder, "ragged.csv");
        File.WriteAllLines(ragged, ["a,b", "1,2", "3"]);
        var text = Path.Combine(Folder, "text.csv");
        File.WriteAllLines(text, ["a,b", "1,2", "3,oops"]);
        var tiny = Path.Combine(Folder, "tiny.csv");
        File.WriteAllLines(tiny, ["a", "1", "2", "3"]);

        Assert.Contains($"{ragged}:3: expected 2 values (as in the header), found 1", (await Fleetctl.RunAsync("replay", ragged)).Error);
        Assert.Contains($"{text}:3: column 'b' ('oops') is not a finite number", (await Fleetctl.RunAsync("replay", text)).Error);
        Assert.Contains($"3 data rows; training needs at least {WindowModelOptions.DefaultFor(features: 1).Window + 10} leading rows", (await Fleetctl.RunAsync("replay", tiny)).Error);
        Assert.Contains("nope.csv: file not found", (await Fleetctl.RunAsync("replay", Path.Combine(Folder, "nope.csv"))).Error);
        Assert.Contains("no column 'c' (columns: a, b)", (await Fleetctl.RunAsync("replay", text, "--columns", "c")).Error);
        Assert.Equal(2, (await Fleetctl.RunAsync("replay", text, "--train-fraction", "2")).Exit);
        Assert.Contains("unknown model 'gru'; use autoencoder or lstm", (await Fleetctl.RunAsync("replay", text, "--model", "gru")).Error);
    }
}
