using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
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
    public string Name => "latency";

    public string Usage => $"""
        latency {LatencyShape.Usage} [--probes 10]
                p50/p99/p99.9 of event → device state, device and fleet queries, and rollup staleness at --load (0.7) × the
                ingest maximum (measured first, same batch shape) for --seconds (20) after --settle; queries and probes per second
        """;

    public IReadOnlyCollection<string> Options => [.. LatencyShape.Options, "probes"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var shape = LatencyShape.From(arguments, seconds: 20, load: 0.7);
        var probes = arguments.PositiveNumber("probes", 10);
        await using var rig = await LatencyRig.StartAsync("latency", shape, arguments.TraceDirectory, progress);
        await rig.SettleAsync();

        var accepted = new ConcurrentDictionary<int, long>(); // probe → when its first event was accepted
        var counts = new ConcurrentQueue<(long At, int Devices)>();
        var ingestTimeline = new LatencyTimeline();
        var queryTimeline = new LatencyTimeline();
        var gcBefore = await rig.Silo.GcCountersAsync();
        var ingest = OpenLoop.RunAsync(
            rig.BatchesPerSecond, shape.Duration, i => HttpIngestDriver.PostAsync(rig.Http, rig.Bodies[i], rig.Expected[i]), ingestTimeline, first: rig.SettleBatches);
        var deviceQuery = rig.QueryDevicesAsync(queryTimeline);
        var fleetQuery = rig.QueryFleetAsync(count => counts.Enqueue((Stopwatch.GetTimestamp(), count)));
        var probe = OpenLoop.RunAsync(probes, shape.Duration, async i =>
        {
            var body = Encoding.UTF8.GetBytes($$"""{"fleetId":"{{LatencyRig.Fleet}}","deviceId":"probe-{{i:D6}}","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[{{string.Join(',', Enumerable.Repeat("1", shape.Features))}}]}""");
            await HttpIngestDriver.PostAsync(rig.Http, body, 1);
            accepted[i] = Stopwatch.GetTimestamp();
        });
        var results = await Task.WhenAll(ingest, deviceQuery, fleetQuery, probe);
        var gc = await rig.Silo.GcCountersAsync() - gcBefore;
        var staleness = await StalenessAsync(rig, shape.Devices, accepted, counts);
        await progress.WriteLineAsync($"latency: slowest batch of each second (ms): {ingestTimeline.Describe()}");
        await progress.WriteLineAsync($"latency: slowest device query of each second (ms): {queryTimeline.Describe()}");
        await rig.Silo.StopAsync();
        await SiloTrace.ReportAsync(rig.Trace, "latency", progress);

        var measures = new (string Name, LatencyHistogram Histogram)[]
        {
            ($"event accepted → in device state (a batch of {shape.BatchEvents})", results[0]),
            ("GET /api/devices/{fleet}/{device}", results[1]),
            ("GET /api/fleets/{fleet}", results[2]),
            ("fleet rollup staleness (new device accepted → counted)", staleness),
        };
        var percentiles = new[] { 50, 90, 99, 99.9 };
        var chart = new SvgLineChart(
            "latency-percentiles.svg", $"Latency under {rig.EventsPerSecond:N0} events/s ({shape.Load:0%} of the maximum)", "percentile (50, 90, 99, 99.9)", "milliseconds",
            [.. measures.Select(m => new ChartSeries(m.Name, [.. percentiles.Select((p, i) => ((double)i, m.Histogram.Percentile(p).TotalMilliseconds))]))],
            LogY: true);
        var figures = new
        {
            devices = shape.Devices, seconds = shape.Duration.TotalSeconds, settleSeconds = shape.Settle.TotalSeconds, load = shape.Load, perBatch = shape.PerBatch,
            batchDevices = shape.BatchDevices, features = shape.Features, model = shape.Model.Key, window = shape.Window,
            maximumEventsPerSecond = rig.Maximum.EventsPerSecond, eventsPerSecond = rig.EventsPerSecond,
            gc = new { collections = gc.Collections, pausedSeconds = gc.PauseSeconds, meanPauseMs = gc.MeanPauseMilliseconds },
            measures = measures.Select(m => new { name = m.Name, count = m.Histogram.Count, p50Ms = Ms(m.Histogram, 50), p99Ms = Ms(m.Histogram, 99), p999Ms = Ms(m.Histogram, 99.9), maxMs = m.Histogram.Max.TotalMilliseconds }),
        };
        return new ScenarioReport(Table(shape, rig, gc, measures), figures, [chart]);
    }

    private static double Ms(LatencyHistogram h, double percentile) => LatencyTables.Ms(h, percentile);

    // Probe k counts as seen at the first fleet query answering with more than devices + k devices. Queries go on
    // after the load until every probe is counted.
    private static async Task<LatencyHistogram> StalenessAsync(LatencyRig rig, int devices, ConcurrentDictionary<int, long> accepted, ConcurrentQueue<(long At, int Devices)> counts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (counts.Max(c => c.Devices) < devices + accepted.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The rollup did not count all {accepted.Count} probe devices within 60 s of the load.");
            }

            await Task.Delay(50);
            counts.Enqueue((Stopwatch.GetTimestamp(), await rig.FleetDeviceCountAsync()));
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

    private static string Table(LatencyShape shape, LatencyRig rig, GcCounters gc, (string Name, LatencyHistogram Histogram)[] measures)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture,
            $"Latency: {shape.Devices} devices, ingest at {rig.EventsPerSecond:0} events/s = {shape.Load:0%} of the {rig.Maximum.EventsPerSecond:0} events/s maximum measured first; measured for {shape.Duration.TotalSeconds:0} s after {shape.Settle.TotalSeconds:0} s at that load; open loop (from each call's due time); {MachineInfo.Describe()}");
        table.AppendLine();
        LatencyTables.AppendMeasures(table, measures);
        LatencyTables.AppendGc(table, gc, shape.Duration);
        Targets.AppendHeader(table);
        var toState = Ms(measures[0].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| event → state p99 ≤ 20 ms | {toState:0.0} ms | {Targets.Verdict(toState <= 20)} |");
        var query = Ms(measures[1].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| device query p99 ≤ 10 ms under load | {query:0.0} ms | {Targets.Verdict(query <= 10)} |");
        var fleetQuery = Ms(measures[2].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| fleet query p99 ≤ 10 ms under load | {fleetQuery:0.0} ms | {Targets.Verdict(fleetQuery <= 10)} |");
        return table.ToString();
    }
}
