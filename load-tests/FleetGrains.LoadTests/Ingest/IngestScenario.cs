using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;
using StackExchange.Redis;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// <c>ingest</c>: end-to-end events/s into device grains — decode, validate, group, grain call, window and
/// statistics, the fleet's anomaly model at every sample (the default cadence) — with the silo in its own process
/// and the load from this one: (a) HTTP batches, (b) Redis Streams from a real redis-server. Baselines in the same
/// run: <b>naive</b> (the same silo with one grain call per event, a state write per event and ONNX runs of one row)
/// and <b>bare</b> (<see cref="BareIngestLoop"/>: the same code in a plain loop, no Orleans).
/// </summary>
public sealed class IngestScenario : ILoadScenario
{
    private const string Fleet = "ingest";

    public string Name => "ingest";

    public string Usage => """
        ingest [--devices 100000] [--events 40] [--per-batch 10] [--batch-devices 500] [--features 38]
               [--model smd-machine-1-2-autoencoder@1] [--window 32] [--connections 8] [--naive-devices 10000]
               [--naive-seconds 20] [--partitions 8] [--format json|binary]
               events/s end to end over HTTP and Redis Streams against a naive silo and a bare loop; each device sends
               --events events, a batch (HTTP body) holds --per-batch events of each of --batch-devices devices, a
               stream entry one device's --per-batch events; --format binary sends binary batches (telemetry_batch.proto)
               instead of NDJSON, to every run (bare decodes them too)
        """;

    public IReadOnlyCollection<string> Options =>
        ["devices", "events", "per-batch", "batch-devices", "features", "model", "window", "connections", "naive-devices", "naive-seconds", "partitions", "format", "trace"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var devices = arguments.PositiveInt("devices", arguments.Quick ? 10_000 : 100_000);
        var events = arguments.PositiveInt("events", arguments.Quick ? 20 : 40);
        var perBatch = arguments.PositiveInt("per-batch", 10);
        var batchDevices = arguments.PositiveInt("batch-devices", 500);
        var features = arguments.PositiveInt("features", 38);
        var model = arguments.AnomalyModel();
        var window = arguments.PositiveInt("window", 32);
        var connections = arguments.PositiveInt("connections", 8);
        var naiveDevices = Math.Min(devices, arguments.PositiveInt("naive-devices", Math.Max(1, devices / 10)));
        var naiveSeconds = arguments.PositiveNumber("naive-seconds", arguments.Quick ? 5 : 20);
        var partitions = arguments.PositiveInt("partitions", 8);
        var format = arguments.Text("format") switch
        {
            null or "json" => WorkloadFormat.Json,
            "binary" => WorkloadFormat.Binary,
            var other => throw new ArgumentException($"--format takes json or binary, got '{other}'."),
        };
        var workload = new IngestWorkload(Fleet, devices, features, events, perBatch, batchDevices, format);
        await progress.WriteLineAsync($"ingest: {devices} devices × {events} events ({workload.MeasuredEvents} measured), {perBatch} per device per batch, {workload.DevicesPerBatch} devices per HTTP batch, F={features}, W={window}, model {model}, {format}");

        var bare = BareIngestLoop.Run(workload, model, window);
        await progress.WriteLineAsync($"  bare: {bare.EventsPerSecond:0} events/s");

        var http = await RunHttpAsync("FleetGrains, HTTP", Settings(model, window, naive: false), workload, connections, null, arguments.TraceDirectory, progress);
        await progress.WriteLineAsync($"  http: {http.EventsPerSecond:0} events/s");

        var naiveWorkload = new IngestWorkload(Fleet, naiveDevices, features, events, perBatch, batchDevices, format);
        var naive = await RunHttpAsync("naive, HTTP", Settings(model, window, naive: true), naiveWorkload, connections, TimeSpan.FromSeconds(naiveSeconds), arguments.TraceDirectory, progress);
        await progress.WriteLineAsync($"  naive: {naive.EventsPerSecond:0} events/s");

        var streams = await RunStreamsAsync(Settings(model, window, naive: false), workload, partitions, arguments.TraceDirectory, progress);
        await progress.WriteLineAsync($"  redis streams: {streams.EventsPerSecond:0} events/s");

        var runs = new[] { http, streams, naive, bare };
        var chart = new SvgLineChart(
            "ingest-throughput.svg", $"Events/s while ingesting ({devices:N0} devices, F={features}, {model})", "seconds", "events/s",
            [.. runs.Select(r => new ChartSeries(r.Mode, Rates(r.Progress)))]);
        var figures = new { format = format.ToString().ToLowerInvariant(), devices, events, perBatch, devicesPerBatch = workload.DevicesPerBatch, features, model = model.Key, window, connections, naiveDevices, partitions, runs = runs.Select(Figures) };
        return new ScenarioReport(Table(workload, model, window, connections, runs, http, streams, naive, bare), figures, [chart]);
    }

    /// <summary>The silo's settings for a run: the fleet's window and anomaly model; with <paramref name="naive"/>, the naive baseline.</summary>
    public static Dictionary<string, string> Settings(ModelRef model, int window, bool naive, string fleet = Fleet)
    {
        var settings = new Dictionary<string, string>
        {
            ["Fleet:Devices:WindowSize"] = window.ToString(CultureInfo.InvariantCulture),
            [$"Fleet:Models:Fleets:{fleet}:Anomaly"] = model.Key,
            ["Fleet:Ingestion:MaxBodyBytes"] = (256 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        };
        if (naive)
        {
            settings["Fleet:Ingestion:CallPerEvent"] = "true";
            settings["Fleet:Devices:WriteBeforeAcknowledge"] = "true";
            settings["Fleet:Inference:MaxRunRows"] = "1";
            settings["Fleet:Inference:BatchMaxRows"] = "1";
        }

        return settings;
    }

    private static async Task<IngestRun> RunHttpAsync(
        string mode, Dictionary<string, string> settings, IngestWorkload workload, int connections, TimeSpan? maxDuration, string? traceDirectory, TextWriter progress)
    {
        var trace = SiloTrace.In(traceDirectory, mode);
        await using var silo = await SiloProcess.StartAsync(mode, settings, trace?.Environment);
        var run = await HttpIngestDriver.RunAsync(mode, silo, workload, connections, maxDuration);
        await silo.StopAsync();
        await SiloTrace.ReportAsync(trace, mode, progress);
        return run;
    }

    private static async Task<IngestRun> RunStreamsAsync(
        Dictionary<string, string> settings, IngestWorkload workload, int partitions, string? traceDirectory, TextWriter progress)
    {
        const string Mode = "FleetGrains, Redis Streams";
        var trace = SiloTrace.In(traceDirectory, Mode);
        await using var redis = await RedisServer.StartNewAsync(durable: false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var streams = new StreamIngest(connection.GetDatabase(), workload, partitions);
        await streams.ProduceAsync();
        streams.ReadBy(settings, redis.ConnectionString, readCount: 256);
        // Measured from its launch: it reads as soon as it has started, before it reports ready.
        await using var silo = SiloProcess.Launch(Mode, settings, trace?.Environment);
        var run = await streams.MeasureSiloDrainAsync(Mode, silo, TimeSpan.FromMinutes(30));
        await silo.StopAsync();
        await SiloTrace.ReportAsync(trace, Mode, progress);
        return run;
    }

    // Events/s between consecutive samples of the cumulative count; a run sampled only at its start and end
    // (the bare loop, or a run shorter than a sampling interval) is drawn flat at its average.
    private static List<(double X, double Y)> Rates(IReadOnlyList<(double Seconds, long Events)> progress)
    {
        var (first, last) = (progress[0], progress[^1]);
        return progress.Count == 2
            ? [(first.Seconds, last.Events / last.Seconds), (last.Seconds, last.Events / last.Seconds)]
            : [.. progress.Zip(progress.Skip(1)).Where(p => p.Second.Seconds > p.First.Seconds)
                .Select(p => (p.Second.Seconds, (p.Second.Events - p.First.Events) / (p.Second.Seconds - p.First.Seconds)))];
    }

    private static object Figures(IngestRun r) => new
    {
        mode = r.Mode, events = r.Events, seconds = r.Elapsed.TotalSeconds, eventsPerSecond = r.EventsPerSecond,
        serverCpuSecondsPerMillion = r.CpuSecondsPerMillion, driverCpuSecondsPerMillion = r.DriverCpuSecondsPerMillion,
        serverAllocatedBytesPerEvent = r.AllocatedBytesPerEvent, serverCollections = r.ServerGc.Collections, serverGcPauseSeconds = r.ServerGc.PauseSeconds,
        rowsRefusedForScoring = r.RowsRefusedForScoring,
    };

    private static string Table(
        IngestWorkload w, ModelRef model, int window, int connections, IngestRun[] runs, IngestRun http, IngestRun streams, IngestRun naive, IngestRun bare)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Ingest: {w.Devices} devices (W={window}, F={w.Features}), anomaly model {model} at every sample; {(w.Format == WorkloadFormat.Binary ? "binary batches" : "NDJSON")}; HTTP bodies of {w.DevicesPerBatch} devices × {w.BatchEventsPerDevice} events, {connections} in flight; stream entries of one device's {w.BatchEventsPerDevice} events; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| run | events | seconds | events/s | server CPU s per M events | driver CPU s per M events | server bytes allocated per event | GCs | GC pause s (mean ms) | rows refused for scoring | × naive | × bare |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            var driver = r.DriverCpuSecondsPerMillion is { } d ? d.ToString("0.00", CultureInfo.InvariantCulture) : "–";
            table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Mode} | {r.Events} | {r.Elapsed.TotalSeconds:0.0} | {r.EventsPerSecond:0} | {r.CpuSecondsPerMillion:0.00} | {driver} | {r.AllocatedBytesPerEvent:0} | {r.ServerGc.Collections:0} | {r.ServerGc.PauseSeconds:0.00} ({r.ServerGc.MeanPauseMilliseconds:0.0}) | {r.RowsRefusedForScoring:0} | {r.EventsPerSecond / naive.EventsPerSecond:0.0} | {r.EventsPerSecond / bare.EventsPerSecond:0.00} |");
        }

        table.AppendLine();
        table.AppendLine("Naive: the same silo with one grain call per event (`Fleet:Ingestion:CallPerEvent`), a state write per event (`WriteBeforeAcknowledge`) and ONNX runs of one row (`MaxRunRows` = `BatchMaxRows` = 1), on a tenth of the devices for a fixed time. Bare: decode, validate, group, device twin and model in a plain loop in the driver's process, one thread per core (no Orleans, no HTTP).");
        Targets.AppendHeader(table);
        var best = Math.Max(http.EventsPerSecond, streams.EventsPerSecond);
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 1,000,000 events/s end to end | HTTP {http.EventsPerSecond:0}, Redis Streams {streams.EventsPerSecond:0} | {Targets.Verdict(best >= 1_000_000)} |");
        var overNaive = http.EventsPerSecond / naive.EventsPerSecond;
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 25× naive | {overNaive:0.0}× (HTTP) | {Targets.Verdict(overNaive >= 25)} |");
        var overBare = Math.Min(http.EventsPerSecond, streams.EventsPerSecond) / bare.EventsPerSecond;
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 0.4× bare | HTTP {http.EventsPerSecond / bare.EventsPerSecond:0.00}×, Redis Streams {streams.EventsPerSecond / bare.EventsPerSecond:0.00}× | {Targets.Verdict(overBare >= 0.4)} |");
        return table.ToString();
    }
}
