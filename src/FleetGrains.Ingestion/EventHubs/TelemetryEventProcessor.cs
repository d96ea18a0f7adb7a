using System.Collections.Concurrent;
using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using FleetGrains.Ingestion.Sources;
using FleetGrains.Ingestion.Tls;
using Microsoft.Extensions.Logging;

namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// The event processor of one silo. The SDK balances the hub's partitions between the silos' processors through the
/// <see cref="CheckpointStore"/> and hands this one batches of the partitions it owns, one batch of a partition at a
/// time. A batch is given to the pipeline until every event is done (taken by its device or dead-lettered), then the
/// partition is checkpointed after its last event — never before, and only while this processor still owns it — so that
/// the next owner starts after what was done: at least once, which the devices' <c>seq</c> turn into exactly once.
/// </summary>
public sealed partial class TelemetryEventProcessor : PluggableCheckpointStoreEventProcessor<EventProcessorPartition>
{
    private readonly SourcesOptions _sources;
    private readonly SourceBatchRetries _retries;
    private readonly ILogger _logger;

    // Per owned partition: the sequence number of the last event done (null until known).
    private readonly ConcurrentDictionary<string, long?> _doneThrough = new();

    private TelemetryEventProcessor(
        CheckpointStore store, SourcesOptions sources, EventProcessorOptions processorOptions, SourceBatchRetries retries, ILogger logger)
        : base(store, sources.EventHubs.BatchSize, sources.EventHubs.ConsumerGroup, sources.EventHubs.ConnectionString!, sources.EventHubs.HubName, processorOptions)
    {
        (_sources, _retries, _logger) = (sources, retries, logger);
    }

    private TelemetryEventProcessor(
        CheckpointStore store, SourcesOptions sources, TokenCredential credential, EventProcessorOptions processorOptions, SourceBatchRetries retries, ILogger logger)
        : base(store, sources.EventHubs.BatchSize, sources.EventHubs.ConsumerGroup, sources.EventHubs.FullyQualifiedNamespace!, sources.EventHubs.EventHubName!, credential, processorOptions)
    {
        (_sources, _retries, _logger) = (sources, retries, logger);
    }

    /// <summary>A processor named <paramref name="identifier"/> (the silo), by connection string or by <paramref name="credential"/>.</summary>
    public static TelemetryEventProcessor Create(
        CheckpointStore store, SourcesOptions sources, TokenCredential? credential, string identifier, SourceBatchRetries retries, ILogger logger)
    {
        var options = sources.EventHubs;
        var processorOptions = new EventProcessorOptions
        {
            Identifier = identifier,
            PrefetchCount = options.PrefetchCount,
            MaximumWaitTime = options.ReceiveWaitTime,
            TrackLastEnqueuedEventProperties = true,
            LoadBalancingStrategy = options.LoadBalancing,
            LoadBalancingUpdateInterval = options.LoadBalancingInterval,
            PartitionOwnershipExpirationInterval = options.OwnershipExpiration,
            DefaultStartingPosition = options.StartFrom == EventHubsStartFrom.Latest ? EventPosition.Latest : EventPosition.Earliest,
            RetryOptions = new EventHubsRetryOptions { TryTimeout = options.TryTimeout },
            ConnectionOptions = ConnectionOptions(options),
        };
        return credential is null
            ? new TelemetryEventProcessor(store, sources, processorOptions, retries, logger)
            : new TelemetryEventProcessor(store, sources, credential, processorOptions, retries, logger);
    }

    // Where to connect (a private endpoint) and which CA the service's certificate must chain to (a private one).
    private static EventHubConnectionOptions ConnectionOptions(EventHubsSourceOptions options)
    {
        var connection = new EventHubConnectionOptions();
        if (options.CustomEndpointAddress is { } address)
        {
            connection.CustomEndpointAddress = new Uri(address);
        }

        if (options.TlsCaFile is { } caFile)
        {
            var authority = PrivateCertificateAuthority.Load(caFile);
            connection.CertificateValidationCallback = (_, certificate, _, errors) => authority.Validates(certificate, errors);
        }

        return connection;
    }

    /// <summary>The partitions this processor owns now, each with the sequence number of its last event done (when known).</summary>
    public IReadOnlyList<(string Partition, long? DoneThrough)> Owned => [.. _doneThrough.Select(p => (p.Key, p.Value))];

    /// <summary>The last event the hub had enqueued in <paramref name="partition"/>, as its receiver last heard; null before it heard.</summary>
    public long? LastEnqueuedSequenceNumber(string partition)
    {
        try
        {
            return ReadLastEnqueuedEventProperties(partition).SequenceNumber;
        }
        catch (Exception ex) when (ex is InvalidOperationException or EventHubsException)
        {
            return null; // not (or no longer) read here, or stopping
        }
    }

    protected override Task OnInitializingPartitionAsync(EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        _doneThrough[partition.PartitionId] = null;
        LogOwning(_logger, EventHubName, partition.PartitionId);
        return Task.CompletedTask;
    }

    protected override Task OnPartitionProcessingStoppedAsync(EventProcessorPartition partition, ProcessingStoppedReason reason, CancellationToken cancellationToken)
    {
        _doneThrough.TryRemove(partition.PartitionId, out _);
        LogReleased(_logger, EventHubName, partition.PartitionId, reason);
        return Task.CompletedTask;
    }

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var batch = events as IReadOnlyList<EventData> ?? [.. events];
        if (batch.Count == 0)
        {
            return;
        }

        var id = partition.PartitionId;
        // What lies before the first event this owner reads was done, by it or an earlier owner. (TryUpdate: a partition
        // that stopped while its batch was handled stays forgotten.)
        _doneThrough.TryUpdate(id, batch[0].SequenceNumber - 1, null);

        List<SourceMessage> messages = [.. batch.Select(e => EventHubsMessages.ToSourceMessage(EventHubName, id, e, _sources.EventHubs))];
        if (await _retries.ProcessUntilDoneAsync(EventHubsSource.SourceName, $"{EventHubName}/{id}", messages, cancellationToken)
            && await CheckpointAsync(id, batch[^1], cancellationToken))
        {
            if (_doneThrough.TryGetValue(id, out var done))
            {
                _doneThrough.TryUpdate(id, batch[^1].SequenceNumber, done);
            }
        }
    }

    protected override Task OnProcessingErrorAsync(Exception exception, EventProcessorPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        LogProcessorError(_logger, exception, EventHubName, partition?.PartitionId ?? "(none)", operationDescription);
        return Task.CompletedTask;
    }

    // Until the checkpoint is written or the partition is no longer read here (then its next owner reads the batch again).
    private async Task<bool> CheckpointAsync(string partition, EventData last, CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                await UpdateCheckpointAsync(partition, CheckpointPosition.FromEvent(last), cancellationToken);
                return true;
            }
            catch (PartitionOwnershipLostException ex)
            {
                LogOwnershipLost(_logger, EventHubName, partition, ex.Owner, last.SequenceNumber);
                return false;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogCheckpointFailed(_logger, ex, EventHubName, partition, failures);
            }

            try
            {
                await Task.Delay(_sources.RetryDelayFor(failures), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hub {EventHub}: this silo now reads partition {Partition}")]
    private static partial void LogOwning(ILogger logger, string eventHub, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hub {EventHub}: this silo stopped reading partition {Partition} ({Reason})")]
    private static partial void LogReleased(ILogger logger, string eventHub, string partition, ProcessingStoppedReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hub {EventHub}, partition {Partition}: the processor reported an error while '{Operation}'")]
    private static partial void LogProcessorError(ILogger logger, Exception exception, string eventHub, string partition, string operation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event Hub {EventHub}, partition {Partition}: no longer owned by this silo (owner: {Owner}); the batch through sequence number {SequenceNumber} is not checkpointed here, its owner reads it again (the devices drop what they already have)")]
    private static partial void LogOwnershipLost(ILogger logger, string eventHub, string partition, string? owner, long sequenceNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hub {EventHub}, partition {Partition}: writing the checkpoint failed ({Failures} times in a row); trying again")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string eventHub, string partition, int failures);
}
