using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.LocalServers;
using StackExchange.Redis;
using EventHubsTestDouble = FleetGrains.EventHubsDouble.EventHubsDouble;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>Publishing telemetry to the Event Hubs test double with the real producer, and reading the silos' checkpoints from Redis.</summary>
public static class EventHubsHarness
{
    public const string Hub = "telemetry";
    public const string Group = "fleetgrains";
    public const string CheckpointPrefix = "fleet:eventhubs";

    public static EventHubsTestDouble StartHub(int partitions) => EventHubsTestDouble.Start(Hub, partitions, Group);

    /// <summary>
    /// The Event Hubs source on <paramref name="hub"/>, checkpointing in <paramref name="redis"/>: ownership renewed each
    /// second and lost after 4 s (not 20), calls tried for 10 s (not 60), lag published four times a second; the source's
    /// information logs kept.
    /// </summary>
    public static Dictionary<string, string> Settings(EventHubsTestDouble hub, RedisServer redis) => new()
    {
        ["Fleet:Sources:Redis"] = redis.ConnectionString,
        ["Fleet:Sources:EventHubs:Enabled"] = "true",
        ["Fleet:Sources:EventHubs:ConnectionString"] = hub.ConnectionString,
        ["Fleet:Sources:EventHubs:ConsumerGroup"] = Group,
        ["Fleet:Sources:EventHubs:LoadBalancingInterval"] = "00:00:01",
        ["Fleet:Sources:EventHubs:OwnershipExpiration"] = "00:00:04",
        ["Fleet:Sources:EventHubs:TryTimeout"] = "00:00:10",
        ["Fleet:Sources:EventHubs:LagInterval"] = "00:00:00.250",
        // Which silo read which partition when, and what it did not checkpoint, in the logs a failure prints.
        ["Logging:LogLevel:FleetGrains.Ingestion.EventHubs"] = "Information",
    };

    public static EventHubProducerClient Producer(EventHubsTestDouble hub) =>
        new(hub.ConnectionString, new EventHubProducerClientOptions { RetryOptions = new EventHubsRetryOptions { TryTimeout = TimeSpan.FromSeconds(10) } });

    /// <summary>
    /// Publishes <paramref name="perDevice"/> events (seq from <paramref name="firstSeq"/>) for each device, with the device
    /// as partition key (one partition each, in order), in the formats of <see cref="ClusterHarness.ProduceInRoundsAsync"/>;
    /// a device's messages of a round go in one send. Returns the events produced.
    /// </summary>
    public static Task<int> ProduceAsync(EventHubProducerClient producer, string fleetId, int devices, int perDevice, int firstSeq = 0) =>
        ClusterHarness.ProduceInRoundsAsync(fleetId, devices, perDevice, firstSeq, payload =>
        [
            producer.SendAsync(
                payload.Bodies.Select(body => new EventData(body) { ContentType = payload.Format == PayloadFormat.Binary ? BinaryBatchDecoder.ContentType : "application/json" }),
                new SendEventOptions { PartitionKey = payload.DeviceId }),
        ]);

    public static EventData Json(string text) => new(Encoding.UTF8.GetBytes(text)) { ContentType = "application/json" };

    /// <summary>Waits until the consumer group's checkpoint of every partition is its last event (nothing left unprocessed).</summary>
    public static async Task WaitCheckpointedAsync(EventHubsTestDouble hub, RedisServer redis, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        await using var connection = await ClusterHarness.ConnectAsync(redis);
        var db = connection.GetDatabase();
        await ClusterHarness.WaitUntilNothingLeftAsync(
            async () =>
            {
                try
                {
                    var checkpoints = await CheckpointsAsync(db, hub);
                    return string.Join("; ", hub.Hub.Partitions
                        .Select(p => (p.Id, Last: (long)p.Count - 1, Checkpoint: checkpoints.TryGetValue(p.Id, out var c) ? c : -1))
                        .Where(p => p.Last != p.Checkpoint)
                        .Select(b => $"partition {b.Id}: checkpoint {b.Checkpoint}, last {b.Last}"));
                }
                catch (RedisException ex)
                {
                    return ex.Message;
                }
            },
            timeout,
            "The consumer group did not checkpoint every event",
            diagnostics);
    }

    /// <summary>The sequence number each partition is checkpointed at, as the silos wrote it.</summary>
    public static Task<Dictionary<string, long>> CheckpointsAsync(IDatabase db, EventHubsTestDouble hub) =>
        new RedisCheckpointStore(() => Task.FromResult(db), CheckpointPrefix, TimeProvider.System).ListCheckpointedSequenceNumbersAsync(hub.FullyQualifiedNamespace, Hub, Group);
}

public sealed record EventHubsSourcesView(string Silo, IReadOnlyList<SourceCountsView> Counters, IReadOnlyList<SourceCountsView> ThisSilo, IReadOnlyList<EventHubsPartitionView>? EventHubs);

public sealed record EventHubsPartitionView(string EventHub, string Partition, long? Checkpointed, long? LastEnqueued, long? Lag);
