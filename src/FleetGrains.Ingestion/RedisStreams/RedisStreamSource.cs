using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>
/// Runs this silo's share of the Redis Streams partitions. Every <see cref="RedisStreamsOptions.RebalanceInterval"/>
/// it renews the leases it holds, hands back the partitions that are no longer its fair share (after their
/// batch in flight is acknowledged), takes the free leases of the partitions that are, and publishes the
/// lag of the partitions it reads. On shutdown it stops its consumers the same graceful way.
/// </summary>
public sealed partial class RedisStreamSource(
    IOptions<SourcesOptions> options,
    SourceRedis redis,
    SourceBatchProcessor processor,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IngestionMetrics metrics,
    ILogger<RedisStreamSource> logger) : BackgroundService
{
    private readonly Dictionary<int, PartitionConsumer> _consumers = [];
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
        using var timer = new PeriodicTimer(Streams.RebalanceInterval);
        do
        {
            try
            {
                await RebalanceAsync();
            }
            catch (Exception ex)
            {
                LogRebalanceFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));

        await ReleaseAsync([.. _consumers.Keys]);
    }

    private async Task RebalanceAsync()
    {
        var db = await redis.DatabaseAsync();
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString());
        var mine = PartitionAssignment.PartitionsOf(Self, active, Streams.Partitions);

        foreach (var (partition, consumer) in _consumers.ToList())
        {
            if (consumer.Completion.IsCompleted || !await PartitionLease.RenewAsync(db, consumer.Stream, Self, Streams.LeaseDuration))
            {
                LogLeaseLost(logger, consumer.Stream);
                consumer.RequestStop();
                await consumer.Completion;
                _consumers.Remove(partition);
                metrics.ForgetLag(PartitionConsumer.SourceName, partition);
            }
        }

        await ReleaseAsync([.. _consumers.Keys.Where(p => !mine.Contains(p))]);

        foreach (var partition in mine.Where(p => !_consumers.ContainsKey(p)).Order())
        {
            var stream = StreamPartitioner.StreamKey(Streams.StreamPrefix, partition);
            if (await PartitionLease.TryTakeAsync(db, stream, Self, Streams.LeaseDuration))
            {
                LogTaken(logger, stream);
                _consumers[partition] = new PartitionConsumer(partition, Self, _options, redis, processor, logger);
            }
        }

        foreach (var consumer in _consumers.Values)
        {
            var group = (await db.StreamGroupInfoAsync(consumer.Stream)).FirstOrDefault(g => g.Name == Streams.ConsumerGroup);
            metrics.SetLag(PartitionConsumer.SourceName, consumer.Partition, group.Name is null ? null : group.Lag);
        }
    }

    // Stops the consumers after their batch in flight and hands their leases back, all at once.
    private async Task ReleaseAsync(int[] partitions)
    {
        var consumers = partitions.Select(p => _consumers[p]).ToList();
        consumers.ForEach(c => c.RequestStop());
        await Task.WhenAll(consumers.Select(c => c.Completion));
        var db = await redis.DatabaseAsync();
        foreach (var consumer in consumers)
        {
            await PartitionLease.ReleaseAsync(db, consumer.Stream, Self);
            _consumers.Remove(consumer.Partition);
            metrics.ForgetLag(PartitionConsumer.SourceName, consumer.Partition);
            LogReleased(logger, consumer.Stream);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Partitions} Redis Streams partitions {Prefix}:* as {Silo}'s share")]
    private static partial void LogStarting(ILogger logger, int partitions, string prefix, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took the lease of {Stream}")]
    private static partial void LogTaken(ILogger logger, string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Stream} to its new owner")]
    private static partial void LogReleased(ILogger logger, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease of {Stream} (not renewed in time); stopped reading it")]
    private static partial void LogLeaseLost(ILogger logger, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebalancing the Redis Streams partitions failed; trying again")]
    private static partial void LogRebalanceFailed(ILogger logger, Exception exception);
}
