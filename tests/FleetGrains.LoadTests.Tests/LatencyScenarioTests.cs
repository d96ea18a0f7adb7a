using System.Text.Json;
using FleetGrains.LoadTests.Latency;

namespace FleetGrains.LoadTests.Tests;

/// <summary>The latency scenario in a tiny configuration (a silo process), so that it cannot rot; no assertion on how fast.</summary>
public class LatencyScenarioTests
{
    [Fact]
    public async Task Command_MeasuresEveryLatencyUnderLoad_AndCountsEveryProbeInTheRollup()
    {
        var folder = Directory.CreateTempSubdirectory("latency-").FullName;
        var json = Path.Combine(folder, "latency.json");
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["latency", "--devices", "400", "--seconds", "3", "--settle", "1", "--batch-devices", "20", "--device-queries", "20", "--fleet-queries", "10", "--probes", "4",
                 "--json", json, "--charts", folder],
                output, progress);

            Assert.True(exit == 0, progress.ToString());
            var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures");
            Assert.True(figures.GetProperty("maximumEventsPerSecond").GetDouble() > 0);
            var measures = figures.GetProperty("measures").EnumerateArray().ToList();
            Assert.Equal(4, measures.Count);
            Assert.Equal(60, measures[1].GetProperty("count").GetInt64()); // 20/s for 3 s
            Assert.Equal(12, measures[3].GetProperty("count").GetInt64()); // every probe was counted by the rollup
            Assert.All(measures, m => Assert.True(m.GetProperty("p50Ms").GetDouble() > 0 && m.GetProperty("p99Ms").GetDouble() >= m.GetProperty("p50Ms").GetDouble()));
            Assert.Contains("| event → state p99 ≤ 20 ms |", output.ToString());
            Assert.Contains("| fleet query p99 ≤ 10 ms under load |", output.ToString());
            Assert.Contains("latency: slowest batch of each second (ms): 0s:", progress.ToString());
            Assert.Contains("<polyline", await File.ReadAllTextAsync(Path.Combine(folder, "latency-percentiles.svg")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Overload_TimesRefusedAndAcceptedBatchesApart_AndFindsEveryAcceptedEventInItsDevice()
    {
        var folder = Directory.CreateTempSubdirectory("overload-").FullName;
        var json = Path.Combine(folder, "overload.json");
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["overload", "--devices", "400", "--seconds", "3", "--settle", "1", "--batch-devices", "20", "--device-queries", "20", "--fleet-queries", "10",
                 "--json", json, "--charts", folder],
                output, progress);

            Assert.True(exit == 0, progress.ToString());
            var figures = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures");
            var offered = figures.GetProperty("offeredEventsPerSecond").GetDouble();
            Assert.True(offered > figures.GetProperty("maximumEventsPerSecond").GetDouble());
            var measures = figures.GetProperty("measures").EnumerateArray().ToList();
            Assert.Equal(4, measures.Count);
            var batches = (long)(3 * offered / 40); // batches of 20 devices × 2 events
            Assert.InRange(measures[0].GetProperty("count").GetInt64() + measures[1].GetProperty("count").GetInt64(), batches - 1, batches); // each sent once: refused or accepted
            Assert.Equal(60, measures[2].GetProperty("count").GetInt64());
            Assert.Equal(0, figures.GetProperty("devicesNotMatchingTheirAnswers").GetInt32());
            Assert.Contains("| nothing accepted lost | 0 devices differ | met |", output.ToString());
            var inSilo = figures.GetProperty("inSilo").EnumerateArray().Single(s => s.GetProperty("status").GetInt32() == 202);
            Assert.Equal(measures[1].GetProperty("count").GetInt64(), inSilo.GetProperty("count").GetDouble()); // the silo's own histogram saw every 202
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task OpenLoop_KeepsTheLatenciesOfEachOutcomeApart_AndTheTimelineNamesTheSlowSecond()
    {
        var timeline = new LatencyTimeline();
        var byOutcome = await OpenLoop.RunByOutcomeAsync(20, TimeSpan.FromSeconds(1.5), async i =>
        {
            await Task.Delay(i == 25 ? 300 : 0); // the 26th call is due 1.25 s in
            return i % 3 == 0 ? "refused" : "accepted";
        }, timeline);

        Assert.Equal(10, byOutcome["refused"].Count);
        Assert.Equal(20, byOutcome["accepted"].Count);
        Assert.True(byOutcome["accepted"].Max >= TimeSpan.FromMilliseconds(290), $"max {byOutcome["accepted"].Max}");
        var seconds = timeline.Describe().Split(' ');
        Assert.Equal(2, seconds.Length);
        Assert.StartsWith("1s:", seconds[1]);
        Assert.True(int.Parse(seconds[1][3..], System.Globalization.CultureInfo.InvariantCulture) >= 290, timeline.Describe());
    }

    [Fact]
    public async Task OpenLoop_CountsLatencyFromTheDueTime_SoCallsQueuedBehindAStallShowIt()
    {
        // A server that takes one call at a time; the first holds it for 200 ms, the others take no time.
        using var server = new SemaphoreSlim(1);
        var histogram = await OpenLoop.RunAsync(100, TimeSpan.FromSeconds(0.5), async i =>
        {
            await server.WaitAsync();
            try
            {
                await Task.Delay(i == 0 ? 200 : 0);
            }
            finally
            {
                server.Release();
            }
        });

        // 50 calls due every 10 ms: the 20 due during the stall waited 200, 190, … 10 ms from their due times.
        Assert.Equal(50, histogram.Count);
        Assert.True(histogram.Max >= TimeSpan.FromMilliseconds(190), $"max {histogram.Max}");
        Assert.True(histogram.Percentile(70) >= TimeSpan.FromMilliseconds(9), $"p70 {histogram.Percentile(70)}");
    }
}
