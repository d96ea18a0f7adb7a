using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;
using StackExchange.Redis;

namespace FleetGrains.LoadTests.Streams;

/// <summary>
/// <c>streams</c>: how fast a broker source drains a backlog into device grains (a silo in its own process, entries
/// produced beforehand, devices active), against a bare loop reading and acknowledging the same entries on the same
/// peer: Redis Streams (<see cref="BareStreamLoop"/>, a real redis-server), Kafka (<see cref="BareKafkaLoop"/>,
/// librdkafka's mock cluster in this process) or Event Hubs (<see cref="BareEventHubsLoop"/>, the test double in this
/// process, checkpoints in a real redis-server).
/// </summary>
public sealed class StreamsScenario : ILoadScenario
{
    public string Name => "streams";

    public string Usage => """
        streams [--source redis-streams|kafka|eventhubs] [--devices 20000] [--events 20] [--per-entry 10] [--features 38]
                [--model smd-machine-1-2-autoencoder@1] [--window 32] [--partitions 8] [--read-count 256]
                entries/s drained by the source into device grains vs a bare read-and-acknowledge loop on the same peer
                (Redis Streams: XREADGROUP + XACK; Kafka: consume + commit; Event Hubs: the SDK's processor + checkpoint;
                --read-count is the Kafka and Event Hubs batch size too)
        """;

    public IReadOnlyCollection<string> Options => ["source", "devices", "events", "per-entry", "features", "model", "window", "partitions", "read-count", "trace"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var source = arguments.Text("source") ?? "redis-streams";
        if (source is not ("redis-streams" or "kafka" or "eventhubs"))
        {
            throw new ArgumentException($"--source must be redis-streams, kafka or eventhubs (was {source}).");
        }

        var devices = arguments.PositiveInt("devices", arguments.Quick ? 5_000 : 20_000);
        var events = arguments.PositiveInt("events", arguments.Quick ? 10 : 20);
        var perEntry = arguments.PositiveInt("per-entry", 10);
        var features = arguments.PositiveInt("features", 38);
        var model = arguments.AnomalyModel();
        var window = arguments.PositiveInt("window", 32);
        var partitions = arguments.PositiveInt("partitions", 8);
        var readCount = arguments.PositiveInt("read-count", 256);
        var workload = new IngestWorkload("streams", devices, features, events, perEntry, devices);
        await progress.WriteLineAsync($"streams ({source}): {devices} devices × {events} events, {perEntry} per entry, {partitions} partitions, read count {readCount}");
        var settings = IngestScenario.Settings(model, window, naive: false, workload.FleetId);
        var trace = SiloTrace.In(arguments.TraceDirectory, "streams");
        var drain = source switch
        {
            "kafka" => await DrainKafkaAsync(workload, settings, partitions, readCount, trace, progress),
            "eventhubs" => await DrainEventHubsAsync(workload, settings, partitions, readCount, trace, progress),
            _ => await DrainRedisStreamsAsync(workload, settings, partitions, readCount, trace, progress),
        };
        await SiloTrace.ReportAsync(trace, "streams", progress);

        var bareRate = drain.BareEntries / drain.BareElapsed.TotalSeconds;
        var measuredEntries = drain.Entries - drain.WarmupEntries;
        var sourceRate = measuredEntries / drain.Run.Elapsed.TotalSeconds;
        await progress.WriteLineAsync($"  bare loop: {bareRate:0} entries/s; source: {sourceRate:0} entries/s");
        var run = drain.Run;
        var ratio = sourceRate / bareRate;
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{drain.Peer} drain: {devices} devices, {drain.Entries} entries of {perEntry} events (warm-up entries of one), {partitions} partitions, read count {readCount}; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| reader | entries | events | seconds | entries/s | events/s | server CPU s per M events |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        table.AppendLine(CultureInfo.InvariantCulture, $"| {drain.BareLoop} | {drain.BareEntries} | {workload.MeasuredEvents + devices} | {drain.BareElapsed.TotalSeconds:0.00} | {bareRate:0} | {(workload.MeasuredEvents + devices) / drain.BareElapsed.TotalSeconds:0} | – |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| FleetGrains source into device grains | {measuredEntries} | {run.Events} | {run.Elapsed.TotalSeconds:0.00} | {sourceRate:0} | {run.EventsPerSecond:0} | {run.CpuSecondsPerMillion:0.00} |");
        Targets.AppendHeader(table);
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 0.5× the bare loop | {ratio:0.000}× | {Targets.Verdict(ratio >= 0.5)} |");
        var chart = new SvgLineChart(
            "streams-drain.svg", $"{drain.Peer} source draining {measuredEntries:N0} entries ({perEntry} events each)", "seconds", "events applied",
            [new ChartSeries("FleetGrains source", [.. run.Progress.Select(p => (p.Seconds, (double)p.Events))])]);
        var figures = new
        {
            peer = source, devices, events, perEntry, features, model = model.Key, window, partitions, readCount,
            bare = new { entries = drain.BareEntries, seconds = drain.BareElapsed.TotalSeconds, entriesPerSecond = bareRate },
            source = new { entries = measuredEntries, events = run.Events, seconds = run.Elapsed.TotalSeconds, entriesPerSecond = sourceRate, eventsPerSecond = run.EventsPerSecond, serverCpuSecondsPerMillion = run.CpuSecondsPerMillion },
            ratio,
        };
        return new ScenarioReport(table.ToString(), figures, [chart]);
    }

    private static async Task<Drain> DrainRedisStreamsAsync(
        IngestWorkload workload, Dictionary<string, string> settings, int partitions, int readCount, SiloTrace? trace, TextWriter progress)
    {
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

        await progress.WriteLineAsync($"  bare loop drained {bareEntries} entries");
        streams.ReadBy(settings, redis.ConnectionString, readCount);
        // Measured from its launch: it reads as soon as it has started, before it reports ready.
        await using var silo = SiloProcess.Launch("streams", settings, trace?.Environment);
        var run = await streams.MeasureSiloDrainAsync("source", silo, TimeSpan.FromMinutes(30));
        await silo.StopAsync();
        return new Drain("Redis Streams (redis-server on loopback)", "bare XREADGROUP + XACK loop", bareEntries, bareElapsed, streams.Entries, streams.WarmupEntries, run);
    }

    private static async Task<Drain> DrainKafkaAsync(
        IngestWorkload workload, Dictionary<string, string> settings, int partitions, int batchSize, SiloTrace? trace, TextWriter progress)
    {
        using var kafka = KafkaMockCluster.Start(brokers: 3);
        using var topic = new KafkaIngest(kafka, workload, partitions);
        await topic.ProduceAsync();
        await progress.WriteLineAsync($"  produced {topic.Entries} messages");

        var (bareEntries, bareElapsed) = BareKafkaLoop.Drain(kafka.BootstrapServers, KafkaIngest.Topic, topic.Entries, batchSize, TimeSpan.FromMinutes(30));
        await progress.WriteLineAsync($"  bare loop drained {bareEntries} messages");
        topic.ReadBy(settings, batchSize);
        await using var silo = SiloProcess.Launch("streams", settings, trace?.Environment);
        var run = await topic.MeasureSiloDrainAsync("source", silo, TimeSpan.FromMinutes(30));
        await silo.StopAsync();
        return new Drain("Kafka (librdkafka's mock cluster of 3 brokers, in the load-test process)", "bare consume + commit loop", bareEntries, bareElapsed, topic.Entries, topic.WarmupEntries, run);
    }

    private static async Task<Drain> DrainEventHubsAsync(
        IngestWorkload workload, Dictionary<string, string> settings, int partitions, int batchSize, SiloTrace? trace, TextWriter progress)
    {
        await using var redis = await RedisServer.StartNewAsync(durable: false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        await using var hub = EventHubsDouble.EventHubsDouble.Start("telemetry", partitions, EventHubsIngest.SiloGroup, BareEventHubsLoop.Group);
        var events = new EventHubsIngest(hub, redis, workload);
        await events.ProduceAsync();
        await progress.WriteLineAsync($"  published {events.Entries} events");

        var store = new RedisCheckpointStore(() => Task.FromResult(db), EventHubsIngest.CheckpointPrefix, TimeProvider.System);
        var (bareEntries, bareElapsed) = await BareEventHubsLoop.DrainAsync(store, hub.ConnectionString, batchSize, events.Entries, TimeSpan.FromMinutes(30));
        await progress.WriteLineAsync($"  bare loop checkpointed {bareEntries} events");
        events.ReadBy(settings, batchSize);
        await using var silo = SiloProcess.Launch("streams", settings, trace?.Environment);
        var run = await events.MeasureSiloDrainAsync("source", silo, db, TimeSpan.FromMinutes(30));
        await silo.StopAsync();
        return new Drain("Event Hubs (the AMQP test double in the load-test process, checkpoints in redis-server on loopback)", "bare SDK processor + checkpoint", bareEntries, bareElapsed, events.Entries, events.WarmupEntries, run);
    }

    private sealed record Drain(string Peer, string BareLoop, long BareEntries, TimeSpan BareElapsed, long Entries, long WarmupEntries, IngestRun Run);
}
