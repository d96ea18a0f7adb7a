using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>
/// Runs this silo's share of the Redis Streams partitions. Every <see cref="RedisStreamsOptions.RebalanceInterval"/>
/// it renews the leases it holds, hands back the partitions that are no longer its fair share (after their
/// batch in flight is acknowledged), takes the free leases of the partitions that are (<see cref="LeasedPartitions{TReader}"/>),
/// and publishes the lag of the partitions it reads. On shutdown it stops its consumers the same graceful way.
/// </summary>
public sealed partial class RedisStreamSource(
    IOptions<SourcesOptions> options,
    SourceRedis redis,
    SourceBatchProcessor processor,
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails silo,
    IngestionMetrics metrics,
    ILogger<RedisStreamSource> logger) : BackgroundService
{
    private readonly SourcesOptions _options = options.Value;

    private string Self => silo.SiloAddress.ToParsableString();

    private RedisStreamsOptions Streams => _options.RedisStreams;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Streams.Enabled)
        {
            return;
        }

        LogStarting(logger, Streams.Partitions, Streams.StreamPrefix, Self);
        var partitions = new LeasedPartitions<PartitionConsumer>(
            Self,
            Streams.Partitions,
            partition => StreamPartitioner.StreamKey(Streams.StreamPrefix, partition),
            Streams.LeaseDuration,
            partition => new PartitionConsumer(partition, Self, _options, redis, processor, logger),
            partition => metrics.ForgetLag(PartitionConsumer.SourceName, partition),
            logger);
        using var timer = new PeriodicTimer(Streams.RebalanceInterval);
        do
        {
            try
            {
                var db = await redis.DatabaseAsync();
                await partitions.RebalanceAsync(db, Rebalancing.ActiveReaders(membership, metadata, SourceRoles.RedisStreams));
                foreach (var consumer in partitions.Readers)
                {
                    var group = (await db.StreamGroupInfoAsync(consumer.Stream)).FirstOrDefault(g => g.Name == Streams.ConsumerGroup);
                    metrics.SetLag(PartitionConsumer.SourceName, consumer.Partition, group.Name is null ? null : group.Lag);
                }
            }
            catch (Exception ex)
            {
                LogRebalanceFailed(logger, ex);
            }
        }
        while (await Rebalancing.NextTickAsync(timer, stoppingToken));

        await partitions.ReleaseAllAsync(await redis.DatabaseAsync());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Partitions} Redis Streams partitions {Prefix}:* as {Silo}'s share")]
    private static partial void LogStarting(ILogger logger, int partitions, string prefix, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebalancing the Redis Streams partitions failed; trying again")]
    private static partial void LogRebalanceFailed(ILogger logger, Exception exception);
}
