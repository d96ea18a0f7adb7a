using System.Text.Json;

namespace FleetGrains.LoadTests.Tests;

/// <summary>The streams scenario in a tiny configuration (a real redis-server, a silo process); it asserts what was measured, never how fast.</summary>
public class StreamsScenarioTests
{
    [Fact]
    public async Task Command_DrainsTheSameEntriesWithTheBareLoopAndTheSource_AndSummarisesTheSilosGcTrace()
    {
        var folder = Directory.CreateTempSubdirectory("streams-").FullName;
        var json = Path.Combine(folder, "streams.json");
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["streams", "--devices", "300", "--events", "4", "--per-entry", "2", "--partitions", "2", "--read-count", "16", "--json", json, "--charts", folder, "--trace", Path.Combine(folder, "traces")],
                output, progress);

            Assert.True(exit == 0, progress.ToString());
            var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures");
            Assert.Equal(900, figures.GetProperty("bare").GetProperty("entries").GetInt64()); // 300 warm-up entries + 2 rounds of 300
            Assert.Equal(600, figures.GetProperty("source").GetProperty("entries").GetInt64());
            Assert.Equal(1200, figures.GetProperty("source").GetProperty("events").GetInt64());
            Assert.True(figures.GetProperty("ratio").GetDouble() > 0);
            Assert.Contains("| ≥ 0.5× the bare loop |", output.ToString());
            Assert.Contains("<polyline", await File.ReadAllTextAsync(Path.Combine(folder, "streams-drain.svg")));
            Assert.True(new FileInfo(Path.Combine(folder, "traces", "streams.nettrace")).Length > 0);
            var summary = progress.ToString();
            Assert.Contains("GC trace of streams", summary);
            Assert.Matches(@"\| gen0 \w+: \d+", summary); // a silo that started and drained entries has collected at least once
            Assert.Contains("| most allocated types", summary);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("kafka", "bare consume + commit loop")]
    [InlineData("eventhubs", "bare SDK processor + checkpoint")]
    public async Task ABrokerSource_DrainsTheSameMessagesAsItsBareLoop_OnTheSamePeer(string source, string bareLoop)
    {
        var folder = Directory.CreateTempSubdirectory($"streams-{source}-").FullName;
        var json = Path.Combine(folder, "streams.json");
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["streams", "--source", source, "--devices", "300", "--events", "4", "--per-entry", "2", "--partitions", "2", "--read-count", "16", "--json", json, "--charts", folder],
                output, progress);

            Assert.True(exit == 0, progress.ToString());
            var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures");
            Assert.Equal(source, figures.GetProperty("peer").GetString());
            Assert.Equal(900, figures.GetProperty("bare").GetProperty("entries").GetInt64());
            Assert.Equal(600, figures.GetProperty("source").GetProperty("entries").GetInt64());
            Assert.Equal(1200, figures.GetProperty("source").GetProperty("events").GetInt64());
            Assert.Contains($"| {bareLoop} | 900 |", output.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
