using System.Collections.Concurrent;

namespace FleetGrains.Ingestion.Kafka;

/// <summary>
/// One Kafka partition this silo reads: the offset the group committed for it (the next message to read), the offset
/// the broker's newest message will follow (the high watermark, as last fetched), and the difference.
/// </summary>
public sealed record KafkaPartitionStatus(string Topic, int Partition, long? Committed, long? High, long? Lag);

/// <summary>The Kafka partitions this silo reads now, as <see cref="KafkaSource"/> last saw them (for <c>GET /api/sources</c>).</summary>
public sealed class KafkaReadState
{
    private readonly ConcurrentDictionary<int, KafkaPartitionStatus> _partitions = new();

    public IReadOnlyList<KafkaPartitionStatus> Partitions => [.. _partitions.Values.OrderBy(p => p.Partition)];

    public void Set(KafkaPartitionStatus status) => _partitions[status.Partition] = status;

    public void Remove(int partition) => _partitions.TryRemove(partition, out _);
}
