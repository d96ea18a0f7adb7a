using FleetGrains.Ingestion.RedisStreams;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// The silo that answered (as partition owners are named), the sources' counters (whole cluster, and this
/// silo's share), and the Redis Streams partitions when that source is enabled.
/// </summary>
public sealed record SourcesReport(string Silo, IReadOnlyList<SourceCounts> Counters, IReadOnlyList<SourceCounts> ThisSilo, IReadOnlyList<PartitionStatus>? Partitions);
