using FleetGrains.LoadTests.Inference;
using System.Text.Json;

namespace FleetGrains.LoadTests.Tests;

/// <summary>The inference scenario in a tiny configuration, so that it cannot rot. It asserts what was measured, never how fast.</summary>
public class InferenceScenarioTests
{
    [Fact]
    public async Task Command_MeasuresBothPathsAtEveryBatchSize_AndWritesTableJsonAndChart()
    {
        var folder = Directory.CreateTempSubdirectory("inference-").FullName;
        var json = Path.Combine(folder, "inference.json");
        var output = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["inference", "--models", "smd-machine-1-2-autoencoder@1,sim-turbines-rul@1", "--batches", "1,16", "--seconds", "0.05", "--load", "200", "--json", json, "--charts", folder],
                output, TextWriter.Null);

            Assert.Equal(0, exit);
            Assert.Contains("| smd-machine-1-2-autoencoder@1 | WindowAutoencoder | 16 |", output.ToString());
            Assert.Contains("| sim-turbines-rul@1 | Rul | 16 |", output.ToString());
            Assert.Contains("batcher adds ≤ 5 ms at p99 (200 one-row requests/s", output.ToString());
            var models = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures").GetProperty("models");
            Assert.Equal(2, models.GetArrayLength());
            foreach (var batch in models.EnumerateArray().SelectMany(m => m.GetProperty("batches").EnumerateArray()))
            {
                Assert.True(batch.GetProperty("rawRowsPerSecond").GetDouble() > 0);
                Assert.True(batch.GetProperty("systemRowsPerSecond").GetDouble() > 0);
            }

            var svg = await File.ReadAllTextAsync(Path.Combine(folder, "inference-throughput.svg"));
            Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
            Assert.Equal(4, svg.Split("<polyline").Length - 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void CommittedModels_AreEveryModelFile_AndTheQuickRunTakesOneOfEachKind()
    {
        var all = InferenceScenario.CommittedModels(quick: false);
        var quick = InferenceScenario.CommittedModels(quick: true);

        Assert.Contains(all, m => m.Key == "smd-machine-1-2-autoencoder@1");
        Assert.Contains(all, m => m.Key == "cmapss-fd001-rul@1");
        Assert.True(all.Count >= 8);
        Assert.Equal(2, quick.Count);
        Assert.Contains(quick, m => m.Id.EndsWith("-autoencoder", StringComparison.Ordinal));
        Assert.Contains(quick, m => m.Id.EndsWith("-rul", StringComparison.Ordinal));
    }
}
