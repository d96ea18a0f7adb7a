using System.Text;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>
/// Reads one partition while this silo holds its lease: first it claims every entry still pending in the
/// consumer group (read but never acknowledged by an earlier owner), then, batch by batch, it retries its
/// own pending entries before it reads new ones, so that a device's events are applied in order. An entry is
/// acknowledged (XACK) only after the device grains took its events, or after they were dead-lettered.
/// At most <see cref="RedisStreamsOptions.ReadCount"/> entries are in flight: a slow cluster reads slower.
/// </summary>
public sealed partial class PartitionConsumer : IPartitionReader
{
    public const string SourceName = "redis-streams";

    private readonly int _partition;
    private readonly string _stream;
    private readonly string _consumer;
    private readonly SourcesOptions _options;
    private readonly SourceRedis _redis;
    private readonly SourceBatchProcessor _processor;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    public PartitionConsumer(int partition, string consumer, SourcesOptions options, SourceRedis redis, SourceBatchProcessor processor, ILogger logger)
    {
        _partition = partition;
        _stream = StreamPartitioner.StreamKey(options.RedisStreams.StreamPrefix, partition);
        _consumer = consumer;
        _options = options;
        _redis = redis;
        _processor = processor;
        _logger = logger;
        Completion = Task.Run(RunAsync);
    }

    public int Partition => _partition;

    public string Stream => _stream;

    public string LeaseName => _stream;

    /// <summary>Ends when the consumer stopped: after the batch in flight was handled and acknowledged.</summary>
    public Task Completion { get; }

    public void RequestStop() => _stop.Cancel();

    private RedisStreamsOptions Streams => _options.RedisStreams;

    private async Task RunAsync()
    {
        var attempt = 1;
        var failuresInARow = 0;
        var claimed = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var db = await _redis.DatabaseAsync();
                if (!claimed)
                {
                    await EnsureGroupAsync(db);
                    await ClaimPendingAsync(db);
                    claimed = true;
                }

                // Own pending entries first (a batch that must be tried again, or claimed ones), then new ones.
                var entries = await db.StreamReadGroupAsync(_stream, Streams.ConsumerGroup, _consumer, "0", Streams.ReadCount);
                if (entries.Length == 0)
                {
                    attempt = 1;
                    entries = await db.StreamReadGroupAsync(_stream, Streams.ConsumerGroup, _consumer, ">", Streams.ReadCount);
                }

                if (entries.Length == 0)
                {
                    await PauseAsync(Streams.PollInterval);
                    continue;
                }

                var messages = entries.Select(ToMessage).ToList();
                var lastAttempt = attempt >= _options.MaxAttempts;
                var done = await _processor.ProcessAsync(SourceName, messages, lastAttempt, attempt);
                RedisValue[] finished = [.. entries.Where((_, i) => done[i]).Select(e => e.Id)];
                if (finished.Length > 0)
                {
                    await db.StreamAcknowledgeAsync(_stream, Streams.ConsumerGroup, finished);
                }

                failuresInARow = 0;
                if (finished.Length < entries.Length)
                {
                    LogRetrying(_logger, entries.Length - finished.Length, _stream, attempt);
                    await PauseAsync(_options.RetryDelayFor(attempt));
                    attempt++;
                }
                else
                {
                    attempt = 1;
                }
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested && TransportErrors.IsTransport(ex))
            {
                // Redis is unreachable: nothing was acknowledged, the same entries come again. This is not
                // counted as an attempt of the entries: they were not the problem.
                failuresInARow++;
                LogReadFailed(_logger, ex, _stream, failuresInARow);
                await PauseAsync(_options.RetryDelayFor(failuresInARow));
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                // Anything else failed on the entries in hand: an attempt of theirs. They are read again as
                // pending, and the last attempt dead-letters whichever still fails, so the partition moves on.
                LogProcessingFailed(_logger, ex, _stream, attempt);
                await PauseAsync(_options.RetryDelayFor(attempt));
                attempt++;
            }
        }
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(_stream, Streams.ConsumerGroup, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists already.
        }
    }

    // Entries an earlier owner read and never acknowledged become this consumer's; the lease guarantees
    // that owner has stopped (or released the partition after acknowledging its batch).
    private async Task ClaimPendingAsync(IDatabase db)
    {
        RedisValue start = "0-0";
        var claimed = 0;
        do
        {
            var result = await db.StreamAutoClaimIdsOnlyAsync(_stream, Streams.ConsumerGroup, _consumer, 0, start, Streams.ReadCount);
            claimed += result.ClaimedIds.Length;
            start = result.NextStartId;
        }
        while (start != "0-0");

        if (claimed > 0)
        {
            LogClaimed(_logger, claimed, _stream);
        }
    }

    // Entry format: field "event" holds one event object; field "events" a JSON array or NDJSON of events; field
    // "batch" a binary batch (telemetry_batch.proto).
    private SourceMessage ToMessage(StreamEntry entry)
    {
        var position = $"{_stream}/{entry.Id}";
        if (entry.IsNull)
        {
            return new SourceMessage(position, ReadOnlyMemory<byte>.Empty, Problem: "the entry was deleted from the stream before it was read");
        }

        var single = entry["event"];
        if (!single.IsNull)
        {
            // As a one-element array, so that an event object spread over several lines decodes too.
            var json = (byte[])single!;
            var array = new byte[json.Length + 2];
            array[0] = (byte)'[';
            json.CopyTo(array, 1);
            array[^1] = (byte)']';
            return new SourceMessage(position, array);
        }

        var batch = entry["events"];
        if (!batch.IsNull)
        {
            return new SourceMessage(position, (byte[])batch!);
        }

        var binary = entry["batch"];
        if (!binary.IsNull)
        {
            return new SourceMessage(position, (byte[])binary!, Binary: true);
        }

        var fields = string.Join(", ", entry.Values.Select(v => (string)v.Name!));
        return new SourceMessage(
            position,
            Encoding.UTF8.GetBytes(string.Join(", ", entry.Values.Select(v => $"{v.Name}={v.Value}"))),
            Problem: $"the entry has no 'event', 'events' or 'batch' field (it has: {fields})");
    }

    private async Task PauseAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} pending entries of {Stream} from its earlier owner")]
    private static partial void LogClaimed(ILogger logger, int count, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} entries of {Stream} were not taken by their devices (attempt {Attempt}); trying again")]
    private static partial void LogRetrying(ILogger logger, int count, string stream, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling entries of {Stream} failed (attempt {Attempt}); trying again, at the last attempt entry by entry")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string stream, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading or acknowledging {Stream} failed ({Failures} times in a row); trying again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string stream, int failures);
}
