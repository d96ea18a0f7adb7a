using FleetGrains.Ingestion.RedisStreams;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// The silo that answered (as partition owners are named), the sources' counters (whole cluster, and this
/// silo's share), the Redis Streams partitions when that source is enabled, and the Kafka and Event Hubs partitions this
/// silo reads when those are.
/// </summary>
public sealed record SourcesReport(string Silo, IReadOnlyList<SourceCounts> Counters, IReadOnlyList<SourceCounts> ThisSilo, IReadOnlyList<PartitionStatus>? Partitions)
{
    public IReadOnlyList<Kafka.KafkaPartitionStatus>? Kafka { get; init; }

    public IReadOnlyList<EventHubs.EventHubsPartitionStatus>? EventHubs { get; init; }
}
