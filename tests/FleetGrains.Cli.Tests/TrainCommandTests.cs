using System.Text.Json;
using FleetGrains.Cli;

namespace FleetGrains.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fleetgrains-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var http = new HttpClient();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FleetCtl.RunAsync(args, http, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task TrainAutoencoder_WritesTheModelAndItsCard_SameBytesEveryTime()
    {
        SyntheticBenchmarks.WriteSmdMachine(_folder, "machine-9-9", rows: 300, anomalyAt: 200);
        var first = Path.Combine(_folder, "first", "ae");
        var second = Path.Combine(_folder, "second", "ae");

        var (exit, output, error) = await RunAsync("train", "autoencoder", "--data", _folder, "--machines", "machine-9-9", "--out", first);
        await RunAsync("train", "autoencoder", "--data", _folder, "--machines", "machine-9-9", "--out", second);

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
    public async Task TrainRul_WritesTheModelAndItsCard()
    {
        SyntheticBenchmarks.WriteCmapss(_folder, "FD003", engines: 10);
        var path = Path.Combine(_folder, "rul");

        var (exit, output, error) = await RunAsync("train", "rul", "--data", _folder, "--subset", "FD003", "--out", path);

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
    public async Task BadArguments_SayWhy(string[] args, string message)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}
