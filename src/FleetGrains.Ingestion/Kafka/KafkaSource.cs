using Confluent.Kafka;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using ErrorCode = Confluent.Kafka.ErrorCode;

namespace FleetGrains.Ingestion.Kafka;

/// <summary>
/// Reads the telemetry topic as one member of the silos' consumer group (cooperative-sticky assignment: a silo that
/// joins or leaves moves only the partitions it must). Batch by batch: read up to <see cref="KafkaSourceOptions.BatchSize"/>
/// messages, hand them to the pipeline until every one is done (taken by its devices or dead-lettered, retried with
/// doubling pauses), then commit each partition's offset past the batch. Nothing more is read while a batch is
/// retried (backpressure): a batch in hand longer than <see cref="PauseAfter"/> pauses the partitions and the consumer
/// keeps polling, so that it stays in the group (<c>max.poll.interval.ms</c>) and takes part in rebalances. An offset
/// is never committed before its message was done, nor for a partition no longer this silo's: at least once, which the
/// devices' <c>seq</c> turn into exactly once. On shutdown the batch in hand is finished and committed, then the
/// consumer leaves the group so that its partitions move at once.
/// </summary>
public sealed partial class KafkaSource(
    IOptions<SourcesOptions> options,
    SourceBatchRetries retries,
    IngestionMetrics metrics,
    KafkaReadState state,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<KafkaSource> logger) : BackgroundService
{
    public const string SourceName = "kafka";

    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    // Pausing drops what librdkafka fetched ahead, so a batch done quickly (nearly all) does not pause.
    private static readonly TimeSpan PauseAfter = TimeSpan.FromSeconds(1);

    private readonly SourcesOptions _options = options.Value;

    // Offsets of batches that are done but whose commit failed, per partition: committed with the next batch.
    private readonly Dictionary<TopicPartition, Offset> _toCommit = [];

    // The offset this silo last committed per partition it reads (the lag is measured from it).
    private readonly Dictionary<int, long> _committed = [];

    // Messages of partitions assigned while a batch was in hand (polled before they could be paused): the next batch starts with them.
    private readonly List<ConsumeResult<Ignore, byte[]?>> _carried = [];

    private KafkaSourceOptions Kafka => _options.Kafka;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Kafka.Enabled ? Task.Run(() => RunAsync(stoppingToken), CancellationToken.None) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken stopping)
    {
        var clientId = silo.SiloAddress.ToParsableString();
        LogStarting(logger, Kafka.Topic, Kafka.GroupId, Kafka.BootstrapServers!, clientId);
        using var consumer = new ConsumerBuilder<Ignore, byte[]?>(Kafka.ConsumerConfig(clientId))
            .SetPartitionsAssignedHandler((_, partitions) => LogAssigned(logger, string.Join(", ", partitions.Select(p => p.Partition.Value))))
            .SetPartitionsRevokedHandler((c, partitions) => Release(c, [.. partitions.Select(p => p.TopicPartition)], commit: true))
            .SetPartitionsLostHandler((c, partitions) => Release(c, [.. partitions.Select(p => p.TopicPartition)], commit: false))
            .SetErrorHandler((_, error) => LogClientError(logger, error.Code, error.Reason, error.IsFatal))
            .SetLogHandler((_, message) => LogClient(logger, ClientLogLevel(message.Level), message.Facility, message.Message))
            .Build();
        consumer.Subscribe(Kafka.Topic);
        var lagDue = time.GetTimestamp();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    var batch = Read(consumer);
                    if (batch.Count > 0 && await ProcessPollingAsync(consumer, batch, stopping))
                    {
                        var owned = consumer.Assignment.ToHashSet();
                        foreach (var partition in batch.GroupBy(r => r.TopicPartition).Where(p => owned.Contains(p.Key)))
                        {
                            _toCommit[partition.Key] = new Offset(partition.Max(r => r.Offset.Value) + 1);
                        }
                    }

                    Commit(consumer);
                    if (time.GetElapsedTime(lagDue) >= TimeSpan.Zero)
                    {
                        PublishLag(consumer);
                        lagDue = time.GetTimestamp() + (long)(Kafka.LagInterval.TotalSeconds * time.TimestampFrequency);
                    }
                }
                catch (KafkaException ex) when (!ex.Error.IsFatal)
                {
                    // A call to the brokers failed outside a batch (librdkafka reconnects by itself): carry on.
                    LogClientError(logger, ex.Error.Code, ex.Error.Reason, fatal: false);
                    await Task.Delay(_options.RetryDelay, time, CancellationToken.None);
                }
            }
        }
        finally
        {
            Commit(consumer);
            CloseQuietly(consumer);
        }
    }

    // Hands the batch to the pipeline until it is done (true) or the silo stops (false). Should that take longer than
    // PauseAfter, the partitions are paused and the consumer polls meanwhile: it heartbeats and serves rebalances but
    // reads nothing, but for a partition assigned in the meantime, whose messages are carried to the next batch.
    private async Task<bool> ProcessPollingAsync(IConsumer<Ignore, byte[]?> consumer, List<ConsumeResult<Ignore, byte[]?>> batch, CancellationToken stopping)
    {
        var processing = retries.ProcessUntilDoneAsync(SourceName, Kafka.Topic, [.. batch.Select(KafkaMessages.ToSourceMessage)], stopping);
        using (var patience = new CancellationTokenSource())
        {
            if (await Task.WhenAny(processing, Task.Delay(PauseAfter, time, patience.Token)) == processing)
            {
                await patience.CancelAsync();
                return await processing;
            }
        }

        LogPausing(logger, batch.Count);
        consumer.Pause(consumer.Assignment);
        try
        {
            while (!processing.IsCompleted)
            {
                try
                {
                    if (consumer.Consume(PollTimeout) is { } early)
                    {
                        _carried.Add(early);
                        consumer.Pause([early.TopicPartition]);
                    }
                }
                catch (KafkaException ex) when (!ex.Error.IsFatal)
                {
                    // Nothing is read while paused; librdkafka reconnects by itself. The batch is still in hand, so no next one starts.
                    LogClientError(logger, ex.Error.Code, ex.Error.Reason, fatal: false);
                }
            }
        }
        finally
        {
            consumer.Resume(consumer.Assignment);
        }

        return await processing;
    }

    // Up to BatchSize messages, starting with those carried over: waits PollTimeout for the first, then BatchDelay for more.
    private List<ConsumeResult<Ignore, byte[]?>> Read(IConsumer<Ignore, byte[]?> consumer)
    {
        var batch = new List<ConsumeResult<Ignore, byte[]?>>(_carried);
        _carried.Clear();
        try
        {
            if (batch.Count == 0)
            {
                if (consumer.Consume(PollTimeout) is not { } first)
                {
                    return batch;
                }

                batch.Add(first);
            }

            var until = time.GetTimestamp() + (long)(Kafka.BatchDelay.TotalSeconds * time.TimestampFrequency);
            while (batch.Count < Kafka.BatchSize)
            {
                var wait = TimeSpan.FromSeconds(Math.Max(0, until - time.GetTimestamp()) / (double)time.TimestampFrequency);
                if (consumer.Consume(wait) is not { } next)
                {
                    break;
                }

                batch.Add(next);
            }
        }
        catch (ConsumeException ex)
        {
            // A partition error (the topic missing, a broker refusing): what was read before it is handled, the
            // rest is read again; librdkafka reconnects by itself.
            LogReadFailed(logger, ex, ex.Error.Code, ex.Error.Reason);
            if (batch.Count == 0)
            {
                Thread.Sleep(_options.RetryDelay);
            }
        }

        return batch;
    }

    private void Commit(IConsumer<Ignore, byte[]?> consumer)
    {
        if (_toCommit.Count == 0)
        {
            return;
        }

        List<TopicPartitionOffset> offsets = [.. _toCommit.Select(o => new TopicPartitionOffset(o.Key, o.Value))];
        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                _committed[offset.Partition.Value] = offset.Offset.Value;
            }

            _toCommit.Clear();
        }
        catch (KafkaException ex)
        {
            // Kept and tried again after the next batch. Should the partition move first, its next reader reads the
            // batch again, and the devices apply each seq once.
            LogCommitFailed(logger, ex, offsets.Count, ex.Error.Code, ex.Error.Reason);
        }
    }

    // Partitions leaving this silo: commit what is done for them while they are still ours (not when they were lost,
    // i.e. already given to another member), and stop publishing their lag.
    private void Release(IConsumer<Ignore, byte[]?> consumer, List<TopicPartition> partitions, bool commit)
    {
        LogReleased(logger, string.Join(", ", partitions.Select(p => p.Partition.Value)), commit);
        List<TopicPartitionOffset> offsets = [.. partitions.Where(_toCommit.ContainsKey).Select(p => new TopicPartitionOffset(p, _toCommit[p]))];
        if (commit && offsets.Count > 0)
        {
            try
            {
                consumer.Commit(offsets);
            }
            catch (KafkaException ex)
            {
                LogCommitFailed(logger, ex, offsets.Count, ex.Error.Code, ex.Error.Reason);
            }
        }

        _carried.RemoveAll(r => partitions.Contains(r.TopicPartition));
        foreach (var partition in partitions)
        {
            _toCommit.Remove(partition);
            _committed.Remove(partition.Partition.Value);
            metrics.ForgetLag(SourceName, partition.Partition.Value);
            state.Remove(partition.Partition.Value);
        }
    }

    private void PublishLag(IConsumer<Ignore, byte[]?> consumer)
    {
        foreach (var partition in consumer.Assignment)
        {
            var high = consumer.GetWatermarkOffsets(partition).High;
            long? committed = _committed.TryGetValue(partition.Partition.Value, out var c) ? c : ReadFrom(consumer, partition);
            long? known = high == Offset.Unset ? null : high.Value;
            long? lag = known is { } h && committed is { } from ? Math.Max(0, h - from) : null;
            metrics.SetLag(SourceName, partition.Partition.Value, lag);
            state.Set(new KafkaPartitionStatus(partition.Topic, partition.Partition.Value, committed, known, lag));
        }
    }

    // Before this silo's first commit of a partition: where it reads from (what lies before was done, by it or an
    // earlier reader); unknown until the partition's first fetch.
    private static long? ReadFrom(IConsumer<Ignore, byte[]?> consumer, TopicPartition partition)
    {
        try
        {
            var position = consumer.Position(partition);
            return position == Offset.Unset ? null : position.Value;
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    private void CloseQuietly(IConsumer<Ignore, byte[]?> consumer)
    {
        try
        {
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            LogCloseFailed(logger, ex);
        }
    }

    private static LogLevel ClientLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading Kafka topic {Topic} as member {Client} of group {Group} (brokers {Brokers})")]
    private static partial void LogStarting(ILogger logger, string topic, string group, string brokers, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions assigned to this silo: {Partitions}")]
    private static partial void LogAssigned(ILogger logger, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "A Kafka batch of {Count} messages is still being handled: its partitions are paused, the consumer keeps polling to stay in the group")]
    private static partial void LogPausing(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka partitions leaving this silo: {Partitions} (committed first: {Committed})")]
    private static partial void LogReleased(ILogger logger, string partitions, bool committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason} (fatal: {Fatal})")]
    private static partial void LogClientError(ILogger logger, ErrorCode code, string reason, bool fatal);

    [LoggerMessage(Message = "librdkafka {Facility}: {Message}")]
    private static partial void LogClient(ILogger logger, LogLevel level, string facility, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading Kafka failed ({Code}: {Reason}); reading again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing {Count} Kafka offsets failed ({Code}: {Reason}); trying again after the next batch")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the Kafka consumer group failed; the group moves this silo's partitions when its session times out")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
