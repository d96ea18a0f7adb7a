using Confluent.Kafka;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>Producing telemetry to a Kafka topic and asking the brokers how far the silos' group has committed.</summary>
public static class KafkaHarness
{
    public const string Topic = "telemetry";
    public const int Partitions = 4;
    public const string Group = "fleetgrains";

    /// <summary>The Kafka source on <paramref name="cluster"/>'s topic; a short lag interval so tests see it quickly.</summary>
    public static Dictionary<string, string> Settings(KafkaMockCluster cluster) => new()
    {
        ["Fleet:Sources:Kafka:Enabled"] = "true",
        ["Fleet:Sources:Kafka:BootstrapServers"] = cluster.BootstrapServers,
        ["Fleet:Sources:Kafka:Topic"] = Topic,
        ["Fleet:Sources:Kafka:GroupId"] = Group,
        ["Fleet:Sources:Kafka:LagInterval"] = "00:00:00.250",
    };

    public static IProducer<string, byte[]?> Producer(KafkaMockCluster cluster) =>
        new ProducerBuilder<string, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, Acks = Acks.All, LingerMs = 5 }).Build();

    /// <summary>
    /// Produces <paramref name="perDevice"/> events (seq from <paramref name="firstSeq"/>) for each device, keyed by device
    /// (one partition each, in order), in the formats of <see cref="ClusterHarness.ProduceInRoundsAsync"/>; binary batches
    /// carry the content-type header. Returns the events produced.
    /// </summary>
    public static Task<int> ProduceAsync(IProducer<string, byte[]?> producer, string fleetId, int devices, int perDevice, int firstSeq = 0) =>
        ClusterHarness.ProduceInRoundsAsync(fleetId, devices, perDevice, firstSeq, payload => payload.Bodies.Select(body => (Task)producer.ProduceAsync(Topic, new Message<string, byte[]?>
        {
            Key = payload.DeviceId,
            Value = body,
            Headers = payload.Format == PayloadFormat.Binary
                ? new Headers { { KafkaMessages.ContentTypeHeader, System.Text.Encoding.UTF8.GetBytes(BinaryBatchDecoder.ContentType) } }
                : null,
        })));

    public static Message<string, byte[]?> Json(string key, string text) => new() { Key = key, Value = System.Text.Encoding.UTF8.GetBytes(text) };

    /// <summary>Waits until the group has committed every partition up to its newest message.</summary>
    public static async Task WaitCommittedAsync(KafkaMockCluster cluster, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        using var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = Group }).Build();
        List<TopicPartition> partitions = [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p))];
        await ClusterHarness.WaitUntilNothingLeftAsync(
            () =>
            {
                try
                {
                    var committed = probe.Committed(partitions, TimeSpan.FromSeconds(5));
                    return Task.FromResult(string.Join("; ", committed
                        .Select(c => (c.Partition.Value, Committed: c.Offset.Value, High: probe.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(5)).High.Value))
                        .Where(p => p.Committed != p.High)
                        .Select(b => $"partition {b.Item1}: committed {b.Committed}, high {b.High}")));
                }
                catch (KafkaException ex)
                {
                    return Task.FromResult(ex.Message);
                }
            },
            timeout,
            "The group did not commit every message",
            diagnostics);
    }
}

public sealed record KafkaSourcesView(string Silo, IReadOnlyList<SourceCountsView> Counters, IReadOnlyList<SourceCountsView> ThisSilo, IReadOnlyList<KafkaPartitionView>? Kafka);

public sealed record KafkaPartitionView(string Topic, int Partition, long? Committed, long? High, long? Lag);
