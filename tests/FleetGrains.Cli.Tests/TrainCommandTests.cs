using System.Text.Json;

namespace FleetGrains.Cli.Tests;

public sealed class TrainCommandTests : WithTemporaryFolder
{

    [Fact]
    public async Task TrainAutoencoder_WritesTheModelAndItsCard_SameBytesEveryTime()
    {
        SyntheticBenchmarks.WriteSmdMachine(Folder, "machine-9-9", rows: 300, anomalyAt: 200);
        var first = Path.Combine(Folder, "first", "ae");
        var second = Path.Combine(Folder, "second", "ae");

        var (exit, output, error) = await Fleetctl.RunAsync("train", "autoencoder", "--data", Folder, "--machines", "machine-9-9", "--out", first);
        await Fleetctl.RunAsync("train", "autoencoder", "--data", Folder, "--machines", "machine-9-9", "--out", second);

        Assert.True(exit == 0, error);
        Assert.Contains("point-wise F1", output);
        Assert.Equal(await File.ReadAllBytesAsync($"{first}.onnx"), await File.ReadAllBytesAsync($"{second}.onnx"));
        using var card = JsonDocument.Parse(await File.ReadAllTextAsync($"{first}.json"));
        Assert.Equal("window-autoencoder", card.RootElement.GetProperty("kind").GetString());
        Assert.Equal(4, card.RootElement.GetProperty("features").GetInt32());
        Assert.StartsWith("fleetctl train autoencoder --data ", card.RootElement.GetProperty("command").GetString());
        Assert.Contains("| output | `score` | [batch] |", await File.ReadAllTextAsync($"{first}.md"));
    }

    [Fact]
    public async Task TrainForecaster_WritesAnLstmForecasterAndItsCard()
    {
        SyntheticBenchmarks.WriteSmdMachine(Folder, "machine-9-9", rows: 300, anomalyAt: 200);
        var path = Path.Combine(Folder, "lstm");

        var (exit, output, error) = await Fleetctl.RunAsync("train", "forecaster", "--data", Folder, "--machines", "machine-9-9", "--epochs", "2", "--window", "8", "--out", path);

        Assert.True(exit == 0, error);
        Assert.Contains("point-adjusted F1", output);
        using var card = JsonDocument.Parse(await File.ReadAllTextAsync($"{path}.json"));
        Assert.Equal("window-forecaster", card.RootElement.GetProperty("kind").GetString());
        Assert.Equal(8, card.RootElement.GetProperty("window").GetInt32());
        Assert.Contains("| output | `prediction` | [batch, 4] |", await File.ReadAllTextAsync($"{path}.md"));
    }

    [Fact]
    public async Task TrainRul_WritesTheModelAndItsCard()
    {
        SyntheticBenchmarks.WriteCmapss(Folder, "FD003", engines: 10);
        var path = Path.Combine(Folder, "rul");

        var (exit, output, error) = await Fleetctl.RunAsync("train", "rul", "--data", Folder, "--subset", "FD003", "--out", path);

        Assert.True(exit == 0, error);
        Assert.Contains("RMSE", output);
        Assert.True(new FileInfo($"{path}.onnx").Length > 1000);
        using var card = JsonDocument.Parse(await File.ReadAllTextAsync($"{path}.json"));
        Assert.Equal("rul", card.RootElement.GetProperty("kind").GetString());
        Assert.DoesNotContain(3, card.RootElement.GetProperty("sensorsUsed").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData(new[] { "train", "autoencoder", "--data", "x" }, "needs --out")]
    [InlineData(new[] { "train", "gan", "--data", "x", "--out", "y" }, "unknown model kind 'gan'")]
    [InlineData(new[] { "train", "rul", "--data", "x", "--out", "y" }, "needs --subset")]
    [InlineData(new[] { "train", "rul", "--data", "x", "--subset", "FD001", "--model", "gru", "--out", "y" }, "unknown RUL model 'gru'; use cnn or lstm")]
    [InlineData(new[] { "train", "forecaster", "--data", "x", "--out", "y" }, "train forecaster needs --machines")]
    public async Task BadArguments_SayWhy(string[] args, string message)
    {
        var (exit, _, error) = await Fleetctl.RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}
