using FleetGrains.LoadTests.Batcher;

namespace FleetGrains.LoadTests.Tests;

/// <summary>The batcher scenario in a tiny configuration, so that it cannot rot. It asserts what was measured, never how fast.</summary>
public class BatcherScenarioTests
{
    [Fact]
    public async Task Scenario_MeasuresBothPaths_AtEveryLoad()
    {
        await using var silo = await ScenarioSilo.StartAsync();
        var options = BatcherLatencyOptions.Quick with { Loads = [200, 400], Duration = TimeSpan.FromMilliseconds(500), Probes = 2 };

        var results = await BatcherLatencyScenario.RunAsync(silo, options, TextWriter.Null);

        Assert.Equal([200, 400], results.Select(r => r.Load));
        foreach (var path in results.SelectMany(r => new[] { r.Direct, r.Batcher }))
        {
            Assert.Equal((path.Load / 2, 0), (path.Sent, path.Failed));
            Assert.True(path.P50 > TimeSpan.Zero && path.P50 <= path.P99 && path.P99 <= path.Max, $"{path}");
            Assert.True(path.RowsPerRun >= 1, $"{path}");
        }
    }

    [Fact]
    public async Task Command_PrintsTheTable_AndWritesJson()
    {
        var json = Path.Combine(Path.GetTempPath(), $"batcher-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(["batcher", "--loads", "200", "--seconds", "1", "--json", json], output, TextWriter.Null);

            Assert.Equal(0, exit);
            Assert.Contains("| 200 | batcher |", output.ToString());
            Assert.Contains("batcher adds at p99", output.ToString());
            Assert.Contains("\"addedP99\"", await File.ReadAllTextAsync(json));
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Theory]
    [InlineData(new string[0], "name a scenario")]
    [InlineData(new[] { "warp" }, "unknown scenario 'warp'")]
    [InlineData(new[] { "batcher", "--loads", "0" }, "--loads takes positive whole numbers")]
    [InlineData(new[] { "batcher", "--batches", "8" }, "batcher takes no option --batches")]
    [InlineData(new[] { "inference", "--seconds", "-1" }, "--seconds takes a positive number")]
    [InlineData(new[] { "inference", "--provider", "Quantum" }, "--provider takes Cpu, Cuda or TensorRt")]
    [InlineData(new[] { "inference", "--json" }, "--json needs a value")]
    [InlineData(new[] { "inference", "--trace", "traces" }, "inference takes no option --trace")]
    public async Task Command_BadArguments_SayWhy(string[] args, string message)
    {
        var error = new StringWriter();

        Assert.Equal(2, await LoadTestCommand.RunAsync(args, TextWriter.Null, error));
        Assert.Contains(message, error.ToString());
    }
}
