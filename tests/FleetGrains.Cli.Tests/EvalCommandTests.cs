using System.Globalization;

namespace FleetGrains.Cli.Tests;

/// <summary><c>fleetctl eval smd</c> on a small synthetic folder in the SMD layout.</summary>
public sealed class EvalCommandTests : WithTemporaryFolder
{
    private void WriteMachine(string name, int rows, int anomalyAt) => SyntheticBenchmarks.WriteSmdMachine(Folder, name, rows, anomalyAt);

    [Fact]
    public async Task EvalSmd_FindsThePlantedAnomaly_AndReportsBothDetectors()
    {
        WriteMachine("machine-9-9", rows: 400, anomalyAt: 300);

        var (exit, output, error) = await Fleetctl.RunAsync("eval", "smd", "--data", Folder, "--epochs", "15");

        Assert.True(exit == 0, error);
        Assert.Contains("machine-9-9: trained", error);
        var autoencoder = output.Split('\n').Single(l => l.StartsWith("machine-9-9  autoencoder", StringComparison.Ordinal));
        var bestPaF1 = double.Parse(autoencoder.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);
        Assert.Equal(1.0, bestPaF1);
        Assert.Contains("machine-9-9  pca", output);
        Assert.Contains("Mean: the unweighted mean of the per-machine figures.", output);
    }

    [Fact]
    public async Task EvalSmd_SyntheticTail_TestsOnPlantedAnomaliesInTheTrainingRows()
    {
        WriteMachine("machine-9-7", rows: 2500, anomalyAt: 100);

        var (exit, output, error) = await Fleetctl.RunAsync("eval", "smd", "--data", Folder, "--synthetic-tail", "--epochs", "3", "--window", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("machine-9-7 (synthetic tail, seed 7)  autoencoder", output);
        Assert.Contains("Synthetic tail: trained on the first 90 %", output);
    }

    [Fact]
    public async Task EvalSmd_SyntheticTail_PlantsOneTailPerSeed_AndTheMeanTakesThemAll()
    {
        WriteMachine("machine-9-9", rows: 2500, anomalyAt: 100);

        var (exit, output, error) = await Fleetctl.RunAsync("--json", "eval", "smd", "--data", Folder, "--synthetic-tail", "--seeds", "7,8", "--epochs", "2");

        Assert.True(exit == 0, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var machines = json.RootElement.GetProperty("machines").EnumerateArray().ToList();
        Assert.Equal(["machine-9-9 (synthetic tail, seed 7)", "machine-9-9 (synthetic tail, seed 8)"], machines.Select(m => m.GetProperty("machine").GetString()));
        var f1 = machines.Select(m => m.GetProperty("model").GetProperty("bestF1").GetDouble()).ToList();
        Assert.Equal(f1.Average(), json.RootElement.GetProperty("mean").GetProperty("model").GetProperty("bestF1").GetDouble(), 1e-9);
    }

    [Theory]
    [InlineData("--synthetic-tail", "--seeds", "7,x", "--seeds takes whole numbers")]
    [InlineData("--synthetic-tail", "--seeds", ",", "--seeds takes whole numbers")]
    [InlineData("--seeds", "7", "--epochs", "add --synthetic-tail")]
    public async Task EvalSmd_BadSeeds_AreRefusedClearly(string a, string b, string c, string message)
    {
        WriteMachine("machine-9-6", rows: 300, anomalyAt: 100);
        string[] args = c == "--epochs" ? ["eval", "smd", "--data", Folder, a, b, c, "2"] : ["eval", "smd", "--data", Folder, a, b, c];

        var (exit, _, error) = await Fleetctl.RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task EvalSmd_Json_CarriesEveryMachineAndTheMean()
    {
        WriteMachine("machine-9-8", rows: 200, anomalyAt: 150);

        var (exit, output, _) = await Fleetctl.RunAsync("--json", "eval", "smd", "--data", Folder, "--epochs", "3");

        Assert.Equal(0, exit);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("machine-9-8", json.RootElement.GetProperty("machines")[0].GetProperty("machine").GetString());
        Assert.True(json.RootElement.GetProperty("mean").GetProperty("model").TryGetProperty("f1", out _));
        Assert.Equal("autoencoder", json.RootElement.GetProperty("mean").GetProperty("model").GetProperty("detector").GetString());
    }

    [Theory]
    [InlineData(new[] { "eval", "smd" }, 2, "eval smd needs --data <dir>")]
    [InlineData(new[] { "eval", "nab", "--data", "x" }, 2, "unknown benchmark 'nab'")]
    [InlineData(new[] { "eval", "smd", "--data", "/nonexistent/smd" }, 1, "/nonexistent/smd: not an SMD folder")]
    public async Task EvalSmd_BadArguments_SayWhy(string[] args, int exit, string message)
    {
        var result = await Fleetctl.RunAsync(args);

        Assert.Equal(exit, result.Exit);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task EvalSmd_RaggedFile_NamesFileAndLine()
    {
        WriteMachine("machine-9-7", rows: 100, anomalyAt: 50);
        var test = Path.Combine(Folder, "test", "machine-9-7.txt");
        File.AppendAllText(test, "0.1,0.2\n");

        var (exit, _, error) = await Fleetctl.RunAsync("eval", "smd", "--data", Folder, "--epochs", "1");

        Assert.Equal(1, exit);
        Assert.Contains($"{test}:101: expected 4 values, found 2", error);
    }

    [Theory]
    [InlineData("cnn", "tcn")]
    [InlineData("lstm", "lstm")]
    public async Task EvalCmapss_ReportsTheModelAndTheRidgeBaseline(string model, string shown)
    {
        SyntheticBenchmarks.WriteCmapss(Folder, "FD001", engines: 12);

        var (exit, output, error) = await Fleetctl.RunAsync("eval", "cmapss", "--data", Folder, "--subset", "FD001", "--model", model, "--epochs", "3");

        Assert.True(exit == 0, error);
        Assert.Matches($@"FD001\s+{shown}\s+[0-9.]+\s+[0-9.]+\s+12", output);
        Assert.Matches(@"FD001\s+ridge\s+[0-9.]+", output);
        Assert.Contains("validation RMSE", error);
    }

    [Fact]
    public async Task EvalCmapss_AlsoTrain_LearnsFromTheOtherSubsetsEnginesToo()
    {
        SyntheticBenchmarks.WriteCmapss(Folder, "FD001", engines: 12);
        SyntheticBenchmarks.WriteCmapss(Folder, "FD003", engines: 8);

        var (exit, output, error) = await Fleetctl.RunAsync("eval", "cmapss", "--data", Folder, "--subset", "FD001", "--also-train", "FD003", "--epochs", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("on 20 engines of FD001 + FD003", error);
        Assert.Matches(@"FD001\s+tcn\s+[0-9.]+\s+[0-9.]+\s+12", output);
    }

    [Theory]
    [InlineData("FD001", "--also-train takes other subsets than FD001, each once")]
    [InlineData("FD003,FD003", "--also-train takes other subsets than FD001, each once")]
    [InlineData("FD009", "'FD009' is not a C-MAPSS subset")]
    public async Task EvalCmapss_BadAlsoTrain_IsRefusedClearly(string alsoTrain, string message)
    {
        SyntheticBenchmarks.WriteCmapss(Folder, "FD001", engines: 12);
        SyntheticBenchmarks.WriteCmapss(Folder, "FD003", engines: 8);

        var (exit, _, error) = await Fleetctl.RunAsync("eval", "cmapss", "--data", Folder, "--subset", "FD001", "--also-train", alsoTrain, "--epochs", "1");

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}
