using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// <c>overload</c>: more ingest than the silo can take (by default 150 % of the closed-loop maximum measured first),
/// offered in open loop while operators query it. Each batch is sent once: answered 202 (applied) or 503 "Silo busy"
/// (admission control: nothing applied), each timed apart; then every device's accepted-event counter is read back
/// and compared with what its 202 answers accepted — nothing accepted may be lost, nothing refused applied.
/// </summary>
public sealed class OverloadScenario : ILoadScenario
{
    private const string IngestRoute = "/api/telemetry";

    public string Name => "overload";

    public string Usage => $"""
        overload {LatencyShape.Usage}
                the time to a 503 for the excess, to 202 for the accepted batches, and of device and fleet queries at --load (1.5) ×
                the ingest maximum for --seconds (30) after --settle; then every device's accepted events against the 202 answers
        """;

    public IReadOnlyCollection<string> Options => LatencyShape.Options;

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var shape = LatencyShape.From(arguments, seconds: 30, load: 1.5);
        await using var rig = await LatencyRig.StartAsync("overload", shape, arguments.TraceDirectory, progress);
        var acceptedBatches = new bool[rig.Bodies.Length];
        await rig.SettleAsync(acceptedBatches);

        var gcBefore = await rig.Silo.GcCountersAsync();
        var durationsBefore = await rig.Silo.RequestDurationsAsync();
        var ingestTimeline = new LatencyTimeline();
        var ingest = OpenLoop.RunByOutcomeAsync(rig.BatchesPerSecond, shape.Duration, async i =>
            acceptedBatches[i] = await HttpIngestDriver.TryPostAsync(rig.Http, rig.Bodies[i], rig.Expected[i]), ingestTimeline, first: rig.SettleBatches);
        var deviceQuery = rig.QueryDevicesAsync(new LatencyTimeline());
        var fleetQuery = rig.QueryFleetAsync(_ => { });
        await Task.WhenAll(ingest, deviceQuery, fleetQuery);
        var gc = await rig.Silo.GcCountersAsync() - gcBefore;
        var inSilo = await rig.Silo.RequestDurationsAsync() - durationsBefore;
        await progress.WriteLineAsync($"overload: slowest answer to a batch of each second (ms): {ingestTimeline.Describe()}");

        var mismatches = await CountMismatchesAsync(rig, acceptedBatches, shape.PerBatch);
        await rig.Silo.StopAsync();
        await SiloTrace.ReportAsync(rig.Trace, "overload", progress);

        var byOutcome = await ingest;
        var measures = new (string Name, LatencyHistogram Histogram)[]
        {
            ($"batch of {shape.BatchEvents} refused: 503 Silo busy", byOutcome.GetValueOrDefault(false) ?? new LatencyHistogram()),
            ($"batch of {shape.BatchEvents} accepted: 202, in device state", byOutcome.GetValueOrDefault(true) ?? new LatencyHistogram()),
            ("GET /api/devices/{fleet}/{device}", await deviceQuery),
            ("GET /api/fleets/{fleet}", await fleetQuery),
        };
        var figures = new
        {
            devices = shape.Devices, seconds = shape.Duration.TotalSeconds, settleSeconds = shape.Settle.TotalSeconds, load = shape.Load, perBatch = shape.PerBatch,
            batchDevices = shape.BatchDevices, maximumEventsPerSecond = rig.Maximum.EventsPerSecond, offeredEventsPerSecond = rig.EventsPerSecond,
            acceptedEventsPerSecond = measures[1].Histogram.Count * shape.BatchEvents / shape.Duration.TotalSeconds,
            devicesNotMatchingTheirAnswers = mismatches,
            inSilo = new[] { StatusCodes.Status503ServiceUnavailable, StatusCodes.Status202Accepted }.Select(status => new
            {
                status, count = inSilo.Count(IngestRoute, status), p50Ms = inSilo.PercentileMilliseconds(IngestRoute, status, 50), p99Ms = inSilo.PercentileMilliseconds(IngestRoute, status, 99),
            }),
            gc = new { collections = gc.Collections, pausedSeconds = gc.PauseSeconds, meanPauseMs = gc.MeanPauseMilliseconds },
            measures = measures.Select(m => new { name = m.Name, count = m.Histogram.Count, p50Ms = LatencyTables.Ms(m.Histogram, 50), p99Ms = LatencyTables.Ms(m.Histogram, 99), maxMs = m.Histogram.Max.TotalMilliseconds }),
        };
        return new ScenarioReport(Table(shape, rig, gc, inSilo, measures, mismatches), figures, []);
    }

    private static string Edge(ServerRequestDurations durations, int status, double percentile) =>
        durations.PercentileMilliseconds(IngestRoute, status, percentile) is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms") : "– (none)";

    // Every device's accepted counter must be its warm-up event plus the events of the batches answered 202 that
    // carried it; the batches answered 503 must have left no trace.
    private static async Task<int> CountMismatchesAsync(LatencyRig rig, bool[] acceptedBatches, int perBatch)
    {
        var expected = new long[rig.Workload.Devices];
        Array.Fill(expected, 1);
        for (var i = 0; i < acceptedBatches.Length; i++)
        {
            if (acceptedBatches[i])
            {
                foreach (var device in rig.Workload.DevicesOf(i % rig.Workload.Groups))
                {
                    expected[device] += perBatch;
                }
            }
        }

        var mismatches = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, rig.Workload.Devices), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (device, cancellation) =>
        {
            var snapshot = await rig.Http.GetFromJsonAsync<JsonElement>($"/api/devices/{LatencyRig.Fleet}/{IngestWorkload.DeviceId(device)}", cancellation);
            if (snapshot.GetProperty("counters").GetProperty("accepted").GetInt64() != expected[device])
            {
                Interlocked.Increment(ref mismatches);
            }
        });
        return mismatches;
    }

    private static string Table(LatencyShape shape, LatencyRig rig, GcCounters gc, ServerRequestDurations inSilo, (string Name, LatencyHistogram Histogram)[] measures, int mismatches)
    {
        var table = new StringBuilder();
        var accepted = measures[1].Histogram.Count * shape.BatchEvents / shape.Duration.TotalSeconds;
        table.AppendLine(CultureInfo.InvariantCulture,
            $"Overload: {shape.Devices} devices, {rig.EventsPerSecond:0} events/s offered = {shape.Load:0%} of the {rig.Maximum.EventsPerSecond:0} events/s maximum measured first, {accepted:0} events/s accepted; measured for {shape.Duration.TotalSeconds:0} s after {shape.Settle.TotalSeconds:0} s at that load; open loop, each batch sent once; {MachineInfo.Describe()}");
        table.AppendLine();
        LatencyTables.AppendMeasures(table, measures);
        LatencyTables.AppendGc(table, gc, shape.Duration);
        table.AppendLine(CultureInfo.InvariantCulture,
            $"Inside the silo (its http.server.request.duration, to the histogram's bucket edges): 503 p50 ≤ {Edge(inSilo, 503, 50)}, p99 ≤ {Edge(inSilo, 503, 99)}; 202 p50 ≤ {Edge(inSilo, 202, 50)}, p99 ≤ {Edge(inSilo, 202, 99)}.");
        table.AppendLine(CultureInfo.InvariantCulture, $"Devices whose accepted events differ from their 202 answers: {mismatches} of {shape.Devices}.");
        Targets.AppendHeader(table);
        var refused = LatencyTables.Ms(measures[0].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| excess answered 503 within 5 ms p99 | {refused:0.0} ms ({measures[0].Histogram.Count} answers) | {Targets.Verdict(measures[0].Histogram.Count > 0 && refused <= 5)} |");
        var toState = LatencyTables.Ms(measures[1].Histogram, 99);
        table.AppendLine(CultureInfo.InvariantCulture, $"| accepted events p99 ≤ 100 ms | {toState:0.0} ms | {Targets.Verdict(toState <= 100)} |");
        var queries = Math.Max(LatencyTables.Ms(measures[2].Histogram, 99), LatencyTables.Ms(measures[3].Histogram, 99));
        table.AppendLine(CultureInfo.InvariantCulture, $"| queries p99 ≤ 20 ms | {queries:0.0} ms (the slower kind) | {Targets.Verdict(queries <= 20)} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| nothing accepted lost | {mismatches} devices differ | {Targets.Verdict(mismatches == 0)} |");
        return table.ToString();
    }
}
