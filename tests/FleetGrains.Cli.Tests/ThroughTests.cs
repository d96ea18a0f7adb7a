using System.Globalization;
using System.Text.Json;
using FleetGrains.Silo.Tests;
using FleetGrains.Training.Data;
using FleetGrains.Training.Models;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;

namespace FleetGrains.Cli.Tests;

/// <summary>
/// <c>replay</c> and <c>eval smd</c> with <c>--through</c>: the rows go through a real silo's ingestion API,
/// device grains and model host, come back through the operator API, and must equal the offline
/// evaluation's scores of the same model on the same windows.
/// </summary>
public sealed class ThroughTests : WithTemporaryFolder, IAsyncLifetime
{
    private SiloHost _host = null!;

    private string Models => Path.Combine(Folder, "models");

    private string Url => _host.BaseAddress.ToString();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Models);
        _host = await SiloHost.StartAsync(new Dictionary<string, string?> { ["Fleet:Inference:ModelDirectory"] = Models });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Replay_Through_ScoresEqualTheOfflineEvaluation_OfTheSameModel()
    {
        var csv = ReplayCommandTests.WriteSeries(Folder, features: 3);
        var rows = DelimitedFile.Read(csv, ',').Numbers([1, 2, 3]);
        // The offline evaluation: the project's own network, trained on the leading rows, scoring every row.
        var autoencoder = WindowAutoencoder.Create(rows[..600], new AutoencoderOptions { Window = 4, Training = new TrainingOptions { Epochs = 5 } });
        autoencoder.Train(rows[..600], new TrainingOptions { Epochs = 5 });
        await File.WriteAllBytesAsync(Path.Combine(Models, "replay-ae.onnx"), OnnxExporter.ToBytes(AutoencoderExporter.Export(autoencoder)));
        var offline = autoencoder.Score(rows).Scores; // offline[i] scores row i + 3
        var scores = Path.Combine(Folder, "through.csv");

        var (exit, output, error) = await Fleetctl.RunAsync(
            "replay", csv, "--through", Url, "--fleet", "replays", "--device", "series-1", "--model", "replay-ae@1", "--models", Models,
            "--columns", "sensor0,sensor1,sensor2", "--label", "label", "--out", scores);

        Assert.True(exit == 0, error + output);
        Assert.Contains("997 rows compared", output);
        Assert.Contains("0 outside 1e-5", output);
        Assert.Contains("against 'label': precision", output);
        var lines = (await File.ReadAllLinesAsync(scores)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(1000, lines.Count);
        Assert.All(lines.Take(3), l => Assert.Equal("", l[1])); // no full window yet
        for (var row = 3; row < lines.Count; row++)
        {
            var system = float.Parse(lines[row][1], CultureInfo.InvariantCulture);
            var expected = offline[row - 3];
            Assert.True(Math.Abs(system - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"row {row}: system {system}, offline {expected}");
        }

        Assert.Equal("", lines[3][3]); // the device calibrates on its first scores (100 by default)…
        Assert.NotEqual("", lines[^1][3]); // …then every row carries its threshold

        var again = await Fleetctl.RunAsync("replay", csv, "--through", Url, "--fleet", "replays", "--device", "series-1", "--models", Models, "--columns", "sensor0,sensor1,sensor2");
        Assert.Equal(2, again.Exit);
        Assert.Contains("already has samples (up to seq 999)", again.Error);
    }

    [Fact]
    public async Task EvalSmd_Through_MeasuresWhatTheOfflineEvaluationMeasures()
    {
        var data = Path.Combine(Folder, "smd");
        SyntheticBenchmarks.WriteSmdMachine(data, "machine-9-9", rows: 400, anomalyAt: 300);
        var train = await Fleetctl.RunAsync("train", "autoencoder", "--data", data, "--machines", "machine-9-9", "--out", Path.Combine(Models, "smd-machine-9-9-autoencoder"));
        Assert.True(train.Exit == 0, train.Error);

        var here = await Fleetctl.RunAsync("--json", "eval", "smd", "--data", data);
        var through = await Fleetctl.RunAsync("--json", "eval", "smd", "--data", data, "--through", Url, "--models", Models);

        Assert.True(through.Exit == 0, through.Error + through.Output);
        using var offlineJson = JsonDocument.Parse(here.Output);
        using var throughJson = JsonDocument.Parse(through.Output);
        var machine = throughJson.RootElement.GetProperty("machines")[0];
        Assert.Equal("smd-machine-9-9", machine.GetProperty("fleet").GetString());
        Assert.Equal(800, machine.GetProperty("agreement").GetProperty("compared").GetInt32());
        Assert.Empty(machine.GetProperty("agreement").GetProperty("disagreeing").EnumerateArray());
        var expected = offlineJson.RootElement.GetProperty("machines")[0].GetProperty("model");
        foreach (var side in new[] { "system", "offline" })
        {
            var measured = machine.GetProperty(side);
            foreach (var figure in new[] { "threshold", "f1", "adjustedF1", "bestF1", "bestAdjustedF1" })
            {
                Assert.Equal(expected.GetProperty(figure).GetDouble(), measured.GetProperty(figure).GetDouble(), 5);
            }
        }
    }

    [Theory]
    [InlineData(new[] { "--columns", "sensor0" }, "needs --fleet")]
    [InlineData(new[] { "--fleet", "f", "--train-rows", "10" }, "--train-rows is for training a model here")]
    [InlineData(new[] { "--fleet", "f", "--model", "no-version" }, "--model: 'no-version' is not a model key")]
    [InlineData(new[] { "--fleet", "bad/fleet" }, "--fleet 'bad/fleet' is not an id")]
    public async Task Replay_Through_BadArguments_SayWhy(string[] args, string message)
    {
        var csv = ReplayCommandTests.WriteSeries(Folder, features: 1);

        var (exit, _, error) = await Fleetctl.RunAsync(["replay", csv, "--through", Url, .. args]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Replay_Through_AModelTheServerCannotLoad_IsTheServersAnswer()
    {
        var csv = ReplayCommandTests.WriteSeries(Folder, features: 1);

        var (exit, _, error) = await Fleetctl.RunAsync("replay", csv, "--through", Url, "--fleet", "f", "--model", "missing@1", "--models", Models);

        Assert.Equal(1, exit);
        Assert.Contains("400 Model not usable", error);
    }

    [Fact]
    public async Task Replay_Through_AFleetWithoutAnAnomalyModel_SaysHowToAssignOne()
    {
        var csv = ReplayCommandTests.WriteSeries(Folder, features: 1);

        var (exit, _, error) = await Fleetctl.RunAsync("replay", csv, "--through", Url, "--fleet", "no-models", "--models", Models);

        Assert.Equal(2, exit);
        Assert.Contains("fleet no-models has no anomaly model; assign one with --model", error);
    }

    [Fact]
    public async Task EvalCmapss_Through_IsRefused()
    {
        var (exit, _, error) = await Fleetctl.RunAsync("eval", "cmapss", "--data", Folder, "--subset", "FD001", "--through", Url);

        Assert.Equal(2, exit);
        Assert.Contains("--through evaluates smd", error);
    }
}
