using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;
using StackExchange.Redis;

namespace FleetGrains.LoadTests.Streams;

/// <summary>
/// <c>streams</c>: how fast the Redis Streams source drains a backlog into device grains (a silo in its own process,
/// entries produced beforehand, devices active), against <see cref="BareStreamLoop"/> reading and acknowledging the
/// same entries on the same server.
/// </summary>
public sealed class StreamsScenario : ILoadScenario
{
    public string Name => "streams";

    public string Usage => """
        streams [--devices 20000] [--events 20] [--per-entry 10] [--features 38] [--model smd-machine-1-2-autoencoder@1]
                [--window 32] [--partitions 8] [--read-count 256]
                entries/s drained by the Redis Streams source into device grains vs a bare XREADGROUP + XACK loop
        """;

    public IReadOnlyCollection<string> Options => ["devices", "events", "per-entry", "features", "model", "window", "partitions", "read-count", "trace"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var devices = arguments.PositiveInt("devices", arguments.Quick ? 5_000 : 20_000);
        var events = arguments.PositiveInt("events", arguments.Quick ? 10 : 20);
        var perEntry = arguments.PositiveInt("per-entry", 10);
        var features = arguments.PositiveInt("features", 38);
        var model = arguments.AnomalyModel();
        var window = arguments.PositiveInt("window", 32);
        var partitions = arguments.PositiveInt("partitions", 8);
        var readCount = arguments.PositiveInt("read-count", 256);
        var workload = new IngestWorkload("streams", devices, features, events, perEntry, devices);
        await progress.WriteLineAsync($"streams: {devices} devices × {events} events, {perEntry} per entry, {partitions} partitions, read count {readCount}");

        await using var redis = await RedisServer.StartNewAsync(durable: false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var streams = new StreamIngest(db, workload, partitions);
        await streams.ProduceAsync();

        var (bareEntries, bareElapsed) = await BareStreamLoop.DrainAsync(db, [.. streams.Streams], readCount);
        if (bareEntries != streams.Entries)
        {
            throw new InvalidOperationException($"The bare loop read {bareEntries} of {streams.Entries} entries.");
        }

        var bareRate = bareEntries / bareElapsed.TotalSeconds;
        await progress.WriteLineAsync($"  bare loop: {bareRate:0} entries/s");

        var settings = IngestScenario.Settings(model, window, naive: false, workload.FleetId);
        streams.ReadBy(settings, redis.ConnectionString, readCount);
        // Measured from its launch: it reads as soon as it has started, before it reports ready.
        var trace = SiloTrace.In(arguments.TraceDirectory, "streams");
        await using var silo = SiloProcess.Launch("streams", settings, trace?.Environment);
        var run = await streams.MeasureSiloDrainAsync("source", silo, TimeSpan.FromMinutes(30));
        await silo.StopAsync();
        await SiloTrace.ReportAsync(trace, "streams", progress);
        var measuredEntries = streams.Entries - streams.WarmupEntries;
        var sourceRate = measuredEntries / run.Elapsed.TotalSeconds;
        await progress.WriteLineAsync($"  source: {sourceRate:0} entries/s");

        var ratio = sourceRate / bareRate;
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Redis Streams drain: {devices} devices, {streams.Entries} entries of {perEntry} events (warm-up entries of one), {partitions} partitions, read count {readCount}, redis-server on loopback; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| reader | entries | events | seconds | entries/s | events/s | server CPU s per M events |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        table.AppendLine(CultureInfo.InvariantCulture, $"| bare XREADGROUP + XACK loop | {bareEntries} | {workload.MeasuredEvents + devices} | {bareElapsed.TotalSeconds:0.00} | {bareRate:0} | {(workload.MeasuredEvents + devices) / bareElapsed.TotalSeconds:0} | – |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| FleetGrains source into device grains | {measuredEntries} | {run.Events} | {run.Elapsed.TotalSeconds:0.00} | {sourceRate:0} | {run.EventsPerSecond:0} | {run.CpuSecondsPerMillion:0.00} |");
        Targets.AppendHeader(table);
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 0.5× the bare loop | {ratio:0.000}× | {Targets.Verdict(ratio >= 0.5)} |");
        var chart = new SvgLineChart(
            "streams-drain.svg", $"Redis Streams source draining {measuredEntries:N0} entries ({perEntry} events each)", "seconds", "events applied",
            [new ChartSeries("FleetGrains source", [.. run.Progress.Select(p => (p.Seconds, (double)p.Events))])]);
        var figures = new
        {
            devices, events, perEntry, features, model = model.Key, window, partitions, readCount,
            bare = new { entries = bareEntries, seconds = bareElapsed.TotalSeconds, entriesPerSecond = bareRate },
            source = new { entries = measuredEntries, events = run.Events, seconds = run.Elapsed.TotalSeconds, entriesPerSecond = sourceRate, eventsPerSecond = run.EventsPerSecond, serverCpuSecondsPerMillion = run.CpuSecondsPerMillion },
            ratio,
        };
        return new ScenarioReport(table.ToString(), figures, [chart]);
    }
}
