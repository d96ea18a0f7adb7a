using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>
/// One partition as Redis sees it: the silo holding its lease (null: nobody reads it now), the entries in the
/// stream, those the consumer group has not read yet (lag; null when Redis cannot tell) and those read but
/// not acknowledged (pending).
/// </summary>
public sealed record PartitionStatus(int Partition, string Stream, string? Owner, long Length, long? Lag, long Pending);

/// <summary>Reads the state of every partition from Redis, whichever silo reads it.</summary>
public sealed class RedisStreamInspector(SourceRedis redis, IOptions<SourcesOptions> options)
{
    public async Task<IReadOnlyList<PartitionStatus>> ReadAsync()
    {
        var streams = options.Value.RedisStreams;
        var db = await redis.DatabaseAsync();
        var partitions = new List<PartitionStatus>();
        for (var p = 0; p < streams.Partitions; p++)
        {
            var stream = StreamPartitioner.StreamKey(streams.StreamPrefix, p);
            var owner = await PartitionLease.OwnerAsync(db, stream);
            if (!await db.KeyExistsAsync(stream))
            {
                partitions.Add(new PartitionStatus(p, stream, owner, 0, 0, 0));
                continue;
            }

            var length = await db.StreamLengthAsync(stream);
            var group = (await db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == streams.ConsumerGroup);
            partitions.Add(group.Name is null
                ? new PartitionStatus(p, stream, owner, length, length, 0)
                : new PartitionStatus(p, stream, owner, length, group.Lag, group.PendingMessageCount));
        }

        return partitions;
    }
}
