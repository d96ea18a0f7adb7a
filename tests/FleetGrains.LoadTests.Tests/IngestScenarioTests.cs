using System.Text.Json;
using FleetGrains.Ingestion;
using FleetGrains.LoadTests.Ingest;

namespace FleetGrains.LoadTests.Tests;

/// <summary>
/// The ingest scenario in a tiny configuration (a silo process, a real redis-server), so that it cannot rot. Each
/// run has checked that every event it counts was accepted; this asserts what was measured, never how fast.
/// </summary>
public class IngestScenarioTests
{
    [Fact]
    public async Task Command_MeasuresHttpStreamsNaiveAndBare_OverTheWholeWorkload()
    {
        var folder = Directory.CreateTempSubdirectory("ingest-").FullName;
        var json = Path.Combine(folder, "ingest.json");
        var output = new StringWriter();
        var progress = new StringWriter();
        try
        {
            var exit = await LoadTestCommand.RunAsync(
                ["ingest", "--devices", "600", "--events", "4", "--per-batch", "2", "--batch-devices", "100", "--naive-devices", "100",
                 "--naive-seconds", "1", "--connections", "2", "--partitions", "2", "--json", json, "--charts", folder],
                output, progress);

            Assert.True(exit == 0, progress.ToString());
            var runs = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("figures").GetProperty("runs")
                .EnumerateArray().ToDictionary(r => r.GetProperty("mode").GetString()!, r => r);
            Assert.Equal(["FleetGrains, HTTP", "FleetGrains, Redis Streams", "naive, HTTP", "bare"], runs.Keys);
            foreach (var mode in new[] { "FleetGrains, HTTP", "FleetGrains, Redis Streams", "bare" })
            {
                Assert.Equal(2400, runs[mode].GetProperty("events").GetInt64());
            }

            Assert.InRange(runs["naive, HTTP"].GetProperty("events").GetInt64(), 1, 400);
            Assert.All(runs.Values, r => Assert.True(r.GetProperty("eventsPerSecond").GetDouble() > 0));
            Assert.All(runs.Values, r => Assert.True(r.GetProperty("serverCpuSecondsPerMillion").GetDouble() > 0));
            Assert.Contains("| ≥ 25× naive |", output.ToString());
            Assert.Contains("<polyline", await File.ReadAllTextAsync(Path.Combine(folder, "ingest-throughput.svg")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Workload_GivesEveryDeviceItsEventsInSeqOrder_AsValidNdjson()
    {
        var workload = new IngestWorkload("f", devices: 7, features: 3, eventsPerDevice: 6, batchEventsPerDevice: 3, devicesPerBatch: 4);

        Assert.Equal((2, 2, 42L), (workload.Groups, workload.Rounds, workload.MeasuredEvents));
        var events = Enumerable.Range(0, workload.Rounds)
            .SelectMany(r => Enumerable.Range(0, workload.Groups).SelectMany(g => TelemetryDecoder.Decode(workload.Body(r, g)).Events))
            .Select(e => e.Event)
            .ToList();
        Assert.Equal(42, events.Count);
        Assert.All(events, e => Assert.Equal(3, e.Values!.Value.Length));
        foreach (var device in events.GroupBy(e => e.DeviceId))
        {
            Assert.Equal([1L, 2, 3, 4, 5, 6], device.Select(e => e.Seq!.Value));
            Assert.Equal(device.Select(e => e.Ts!.Value).Order(), device.Select(e => e.Ts!.Value));
        }

        var warmup = Enumerable.Range(0, workload.Groups).SelectMany(g => TelemetryDecoder.Decode(workload.WarmupBody(g)).Events).ToList();
        Assert.Equal(7, warmup.Select(e => e.Event.DeviceId).Distinct().Count());
        Assert.All(warmup, e => Assert.Equal(0, e.Event.Seq));
        Assert.Throws<ArgumentException>(() => new IngestWorkload("f", 7, 3, eventsPerDevice: 5, batchEventsPerDevice: 3, devicesPerBatch: 4));
    }

    [Fact]
    public void ABinaryWorkload_CarriesTheSameEvents_AsItsNdjsonTwin()
    {
        var json = new IngestWorkload("f", devices: 7, features: 3, eventsPerDevice: 6, batchEventsPerDevice: 3, devicesPerBatch: 4);
        var binary = new IngestWorkload("f", devices: 7, features: 3, eventsPerDevice: 6, batchEventsPerDevice: 3, devicesPerBatch: 4, WorkloadFormat.Binary);

        // Timestamps from the first one: each workload starts its clock when it is made.
        static List<string> Events(IngestWorkload w)
        {
            var events = Enumerable.Range(0, w.Groups).Select(w.WarmupBody)
                .Concat(Enumerable.Range(0, w.Rounds).SelectMany(r => Enumerable.Range(0, w.Groups).Select(g => w.Body(r, g))))
                .Concat(Enumerable.Range(0, w.Devices).Select(d => w.DeviceBatch(d, 1)))
                .SelectMany(body => w.Decode(body).Events)
                .Select(e => e.Event)
                .ToList();
            var first = events[0].Ts!.Value;
            return [.. events.Select(e => $"{e.FleetId}/{e.DeviceId} {e.Seq} {e.Ts - first} {string.Join(',', e.Values!.Value.ToArray())}")];
        }

        Assert.Equal(Events(json), Events(binary));
        Assert.Equal(("application/vnd.fleetgrains.batch.v1+protobuf", "batch"), (binary.ContentType, binary.BatchField));
        Assert.True(binary.Body(0, 0).Length < json.Body(0, 0).Length / 2, "binary bodies are smaller");
    }
}
