using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// <c>latency</c>: a silo process under ingest at 70 % of the maximum it reached moments before with the same batch
/// shape, while operators query it. Measured in open loop (from each call's due time): an ingest batch until it is
/// in device state (HTTP answers 202 only once the device grains applied it), <c>GET /api/devices/…</c>,
/// <c>GET /api/fleets/…</c>, and the rollup's staleness: from a new device's first accepted event until the fleet
/// rollup counts it.
/// </summary>
public sealed class LatencyScenario : ILoadScenario
{
    private const string Fleet = "latency";

    public string Name => "latency";

    public string Usage => """
        latency [--devices 20000] [--seconds 20] [--load 0.7] [--per-batch 2] [--batch-devices 50] [--features 38]
                [--model smd-machine-1-2-autoencoder@1] [--window 32] [--connections 8] [--device-queries 200]
                [--fleet-queries 20] [--probes 10]
                p50/p99/p99.9 of event → device state, device and fleet queries, and rollup staleness at --load × the
                ingest maximum (measured first, same batch shape); queries and probes per second
        """;

    public IReadOnlyCollection<string> Options =>
        ["devices", "seconds", "load", "per-batch", "batch-devices", "features", "model", "window", "connections", "device-queries", "fleet-queries", "probes", "trace"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var devices = arguments.PositiveInt("devices", arguments.Quick ? 5_000 : 20_000);
        var seconds = arguments.PositiveNumber("seconds", arguments.Quick ? 8 : 20);
        var load = arguments.PositiveNumber("load", 0.7);
        var perBatch = arguments.PositiveInt("per-batch", 2);
        var batchDevices = arguments.PositiveInt("batch-devices", 50);
        var features = arguments.PositiveInt("features", 38);
        var model = arguments.AnomalyModel();
        var window = arguments.PositiveInt("window", 32);
        var connections = arguments.PositiveInt("connections", 8);
        var deviceQueries = arguments.PositiveNumber("device-queries", 200);
        var fleetQueries = arguments.PositiveNumber("fleet-queries", 20);
        var probes = arguments.PositiveNumber("probes", 10);

        var settings = IngestScenario.Settings(model, window, naive: false, Fleet);
        settings[$"Fleet:Models:Fleets:{Fleet}-max:Anomaly"] = model.Key;
        var trace = SiloTrace.In(arguments.TraceDirectory, "latency");
        await using var silo = await SiloProcess.StartAsync("latency", settings, trace?.Environment);
        using var http = HttpIngestDriver.Client(silo, 1000);

        // The maximum, closed loop, with the batch shape of the measured load (on devices of their own).
        var maxWorkload = new IngestWorkload($"{Fleet}-max", devices, features, 40 * perBatch, perBatch, batchDevices);
        var max = await HttpIngestDriver.RunAsync("maximum", silo, maxWorkload, connections, TimeSpan.FromSeconds(seconds / 2));
        var rate = load * max.EventsPerSecond;
        var batchEvents = batchDevices * perBatch;
        var batchesPerSecond = rate / batchEvents;
        await progress.WriteLineAsync($"latency: maximum {max.EventsPerSecond:0} events/s; measuring at {rate:0} events/s ({batchesPerSecond:0.0} batches of {batchEvents}) for {seconds} s");

        var batches = (int)(seconds * batchesPerSecond);
        var workload = new IngestWorkload(Fleet, devices, features, perBatch * Math.Max(1, (batches / Math.Max(1, devices / batchDevices)) + 1), perBatch, batchDevices);
        await HttpIngestDriver.WarmUpAsync(http, workload, connections);
        await WaitForRollupAsync(http, devices);
        var bodies = Enumerable.Range(0, batches).Select(i => workload.Body(i / workload.Groups, i % workload.Groups)).ToArray();
        var expected = Enumerable.Range(0, batches).Select(i => workload.DevicesOf(i % workload.Groups).Count() * perBatch).ToArray();

        var duration = TimeSpan.FromSeconds(seconds);
        var accepted = new ConcurrentDictionary<int, long>(); // probe → when its first event was accepted
        var counts = new ConcurrentQueue<(long At, int Devices)>();
        var random = new Random(7);
        var ingestTimeline = new LatencyTimeline();
        var queryTimeline = new LatencyTimeline();
        var ingest = OpenLoop.RunAsync(batchesPerSecond, duration, i => HttpIngestDriver.PostAsync(http, bodies[i], expected[i]), ingestTimeline);
        var deviceQuery = OpenLoop.RunAsync(deviceQueries, duration, async _ =>
        {
            int d;
            lock (random)
            {
                d = random.Next(devices);
            }

            using var response = await http.GetAsync($"/api/devices/{Fleet}/{IngestWorkload.DeviceId(d)}");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }, queryTimeline);
        var fleetQuery = OpenLoop.RunAsync(fleetQueries, duration, async _ =>
        {
            counts.Enqueue((Stopwatch.GetTimestamp(), await FleetDeviceCountAsync(http)));
        });
        var probe = OpenLoop.RunAsync(probes, duration, async i =>
        {
            var body = Encoding.UTF8.GetBytes($$"""{"fleetId":"{{Fleet}}","deviceId":"probe-{{i:D6}}","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[{{string.Join(',', Enumerable.Repeat("1", features))}}]}""");
            await HttpIngestDriver.PostAsync(http, body, 1);
            accepted[i] = Stopwatch.GetTimestamp();
        });
        var results = await Task.WhenAll(ingest, deviceQuery, fleetQuery, probe);
        var staleness = await StalenessAsync(http, devices, accepted, counts);
        await progress.WriteLineAsync($"latency: slowest batch of each second (ms): {ingestTimeline.Describe()}");
        await progress.WriteLineAsync($"latency: slowest device query of each second (ms): {queryTimeline.Describe()}");
        await silo.StopAsync();
        await SiloTrace.ReportAsync(trace, "latency", progress);

        var measures = new (string Name, LatencyHistogram Histogram)[]
        {
            ($"event accepted → in device state (a batch of {batchEvents})", results[0]),
            ("GET /api/devices/{fleet}/{device}", results[1]),
            ("GET /api/fleets/{fleet}", results[2]),
            ("fleet rollup staleness (new device accepted → counted)", staleness),
        };
        var percentiles = new[] { 50, 90, 99, 99.9 };
        var chart = new SvgLineChart(
            "latency-percentiles.svg", $"Latency under {rate:N0} events/s ({load:0%} of the maximum)", "percentile (50, 90, 99, 99.9)", "milliseconds",
            [.. measures.Select(m => new ChartSeries(m.Name, [.. percentiles.Select((p, i) => ((double)i, m.Histogram.Percentile(p).TotalMilliseconds))]))],
            LogY: true);
        var figures = new
        {
            devices, seconds, load, perBatch, batchDevices, features, model = model.Key, window, maximumEventsPerSecond = max.EventsPerSecond, eventsPerSecond = rate,
            measures = measures.Select(m => new { name = m.Name, count = m.Histogram.Count, p50Ms = Ms(m.Histogram, 50), p99Ms = Ms(m.Histogram, 99), p999Ms = Ms(m.Histogram, 99.9), maxMs = m.Histogram.Max.TotalMilliseconds }),
        };
        return new ScenarioReport(Table(devices, rate, load, max, measures), figures, [chart]);
    }

    private static double Ms(LatencyHistogram h, double percentile) => h.Percentile(percentile).TotalMilliseconds;

    // The devices the fleet rollup counts: GET /api/fleets/{fleet}, as an operator reads it.
    private static async Task<int> FleetDeviceCountAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/fleets/{Fleet}")).GetProperty("deviceCount").GetInt32();

    private static async Task WaitForRollupAsync(HttpClient http, int devices)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await FleetDeviceCountAsync(http) < devices)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The rollup of {Fleet} did not count its {devices} devices within 60 s.");
            }

            await Task.Delay(100);
        }
    }

    // Probe k counts as seen at the first fleet query answering with more than devices + k devices. Queries go on
    // after the load until every probe is counted.
    private static async Task<LatencyHistogram> StalenessAsync(HttpClient http, int devices, ConcurrentDictionary<int, long> accepted, ConcurrentQueue<(long At, int Devices)> counts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (counts.Max(c => c.Devices) < devices + accepted.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The rollup did not count all {accepted.Count} probe devices within 60 s of the load.");
            }

            await Task.Delay(50);
            counts.Enqueue((Stopwatch.GetTimestamp(), await FleetDeviceCountAsync(http)));
        }

        var ordered = counts.OrderBy(c => c.At).ToList();
        var histogram = new LatencyHistogram();
        foreach (var (k, at) in accepted)
        {
            var seen = ordered.First(c => c.Devices > devices + k && c.At >= at).At;
            histogram.Record(Stopwatch.GetElapsedTime(at, seen));
        }

        return histogram;
    }

    private static string Table(int devices, double rate, double load, IngestRun max, (string Name, LatencyHistogram Histogram)[] measures)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Latency: {devices} devices, ingest at {rate:0} events/s = {load:0%} of the {max.EventsPerSecond:0} events/s maximum measured first; open loop (from each call's due time); {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| measure | count | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, h) in measures)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {h.Count} | {Ms(h, 50):0.0} | {Ms(h, 99):0.0} | {Ms(h, 99.9):0.0} | {h.Max.TotalMilliseconds:0.0} |");
        }

        Targets.AppendHeader(table);
        var toState = Ms(measures[0].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| event → state p99 ≤ 20 ms | {toState:0.0} ms | {Targets.Verdict(toState <= 20)} |");
        var query = Ms(measures[1].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| device query p99 ≤ 10 ms under load | {query:0.0} ms | {Targets.Verdict(query <= 10)} |");
        return table.ToString();
    }
}
