using Azure.Core;
using Azure.Identity;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// Runs this silo's <see cref="TelemetryEventProcessor"/> while the silo runs, with its ownership records and
/// checkpoints in the sources' Redis (<see cref="RedisCheckpointStore"/>), and publishes the lag of the partitions it
/// owns (the hub's last enqueued sequence number − the last done) as <c>fleet_source_lag{source="eventhubs"}</c>.
/// Should the hub or Redis not answer at start, starting is tried again; on shutdown the processor stops (the batches
/// in hand are not checkpointed unless done) and gives up its partitions, so that the other silos take them at once.
/// </summary>
public sealed partial class EventHubsSource(
    IOptions<SourcesOptions> options,
    SourceBatchRetries retries,
    SourceRedis redis,
    IngestionMetrics metrics,
    EventHubsReadState state,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<EventHubsSource> logger,
    ILogger<TelemetryEventProcessor> processorLogger) : BackgroundService
{
    public const string SourceName = "eventhubs";

    private EventHubsSourceOptions Hub => options.Value.EventHubs;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Hub.Enabled ? RunAsync(stoppingToken) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken stopping)
    {
        TelemetryEventProcessor processor;
        try
        {
            var store = new RedisCheckpointStore(redis.DatabaseAsync, Hub.CheckpointPrefix, time);
            processor = TelemetryEventProcessor.Create(store, options.Value, Credential(), silo.SiloAddress.ToParsableString(), retries, processorLogger);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The settings passed validation but the SDK refused them: the silo runs on, without this source.
            LogCannotStart(logger, ex);
            return;
        }

        if (!await StartAsync(processor, stopping))
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(Hub.LagInterval, time);
            while (await timer.WaitForNextTickAsync(stopping))
            {
                PublishLag(processor);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            await StopAsync(processor);
            Publish([]);
        }
    }

    private async Task<bool> StartAsync(TelemetryEventProcessor processor, CancellationToken stopping)
    {
        LogStarting(logger, processor.EventHubName, processor.FullyQualifiedNamespace, processor.ConsumerGroup, processor.Identifier);
        for (var failures = 1; ; failures++)
        {
            try
            {
                await processor.StartProcessingAsync(stopping);
                return true;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                LogStartFailed(logger, ex, processor.EventHubName, failures);
            }

            try
            {
                await Task.Delay(options.Value.RetryDelayFor(failures), time, stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private async Task StopAsync(TelemetryEventProcessor processor)
    {
        try
        {
            await processor.StopProcessingAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogStopFailed(logger, ex, processor.EventHubName);
        }
    }

    private void PublishLag(TelemetryEventProcessor processor) =>
        Publish([.. processor.Owned.Select(p =>
        {
            var last = processor.LastEnqueuedSequenceNumber(p.Partition);
            long? lag = last is { } l && p.DoneThrough is { } d ? Math.Max(0, l - d) : null;
            return new EventHubsPartitionStatus(processor.EventHubName, p.Partition, p.DoneThrough, last, lag);
        })]);

    // The partitions owned now replace the ones published before (a partition that left is no longer shown or exported).
    private void Publish(List<EventHubsPartitionStatus> owned)
    {
        foreach (var gone in state.Partitions.Select(p => p.Partition).Except(owned.Select(p => p.Partition)))
        {
            if (int.TryParse(gone, out var number))
            {
                metrics.ForgetLag(SourceName, number);
            }
        }

        foreach (var partition in owned)
        {
            if (int.TryParse(partition.Partition, out var number))
            {
                metrics.SetLag(SourceName, number, partition.Lag);
            }
        }

        state.Replace(owned);
    }

    private TokenCredential? Credential() => string.IsNullOrWhiteSpace(Hub.ConnectionString)
        ? Hub.Credential switch
        {
            EventHubsCredential.ManagedIdentity => new ManagedIdentityCredential(
                Hub.ClientId is { } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned),
            EventHubsCredential.Default => new DefaultAzureCredential(new DefaultAzureCredentialOptions { DisableInstanceDiscovery = Hub.DisableInstanceDiscovery }),
            _ => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { DisableInstanceDiscovery = Hub.DisableInstanceDiscovery }),
        }
        : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading Event Hub {EventHub} of {Namespace}, consumer group {Group}, as processor {Processor}")]
    private static partial void LogStarting(ILogger logger, string eventHub, string @namespace, string group, string processor);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Event Hubs source cannot run with these settings; the silo runs without it")]
    private static partial void LogCannotStart(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the processor of Event Hub {EventHub} failed ({Failures} times in a row); trying again")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string eventHub, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the processor of Event Hub {EventHub} failed; its partitions move when their ownership expires")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string eventHub);
}
