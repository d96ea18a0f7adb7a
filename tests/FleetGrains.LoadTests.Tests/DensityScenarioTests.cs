using System.Text.Json;

namespace FleetGrains.LoadTests.Tests;

/// <summary>
/// The density scenario in a tiny configuration, so that it cannot rot. It asserts what was measured, never how fast
/// or how small. It runs alone: it measures this process's heap, which tests running beside it would change.
/// </summary>
[Collection(MeasuresTheProcessHeap.Name)]
public class DensityScenarioTests
{
    [Fact]
    public async Task Command_ActivatesEveryFleetSize_AndReportsMemoryPerDeviceBeyondTheWindow()
    {
        var folder = Directory.CreateTempSubdirectory("density-").FullName;
        var json = Path.Combine(folder, "density.json");
        var output = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(["density", "--devices", "300,600", "--window", "8", "--features", "2", "--json", json, "--charts", folder], output, TextWriter.Null);

            Assert.Equal(0, exit);
            Assert.Contains("| 300 | 8 × 2 | 64 |", output.ToString());
            Assert.Contains("| 600 | 8 × 2 | 64 |", output.ToString());
            var results = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures").GetProperty("results");
            foreach (var result in results.EnumerateArray())
            {
                Assert.True(result.GetProperty("heapBytes").GetInt64() > 0);
                Assert.True(result.GetProperty("activationsPerSecond").GetDouble() > 0);
                Assert.Equal(10, result.GetProperty("growth").GetArrayLength());
                Assert.Equal(result.GetProperty("devices").GetInt32(), result.GetProperty("growth")[9].GetProperty("devices").GetInt32());
            }

            Assert.Contains("<polyline", await File.ReadAllTextAsync(Path.Combine(folder, "density-heap.svg")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuresTheProcessHeap
{
    public const string Name = "measures the process heap";
}
