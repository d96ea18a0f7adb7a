using System.Diagnostics;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;

namespace FleetGrains.LoadTests.Streams;

/// <summary>
/// The Event Hubs baseline of the <c>streams</c> scenario: the same SDK processor on the same hub and checkpoint store
/// (its own consumer group), doing nothing with a batch but checkpoint after it — timed from its first event to the
/// checkpoint of its last.
/// </summary>
public sealed class BareEventHubsLoop : PluggableCheckpointStoreEventProcessor<EventProcessorPartition>
{
    public const string Group = "bare";

    private readonly long _expected;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _checkpointed;
    private long _started;

    private BareEventHubsLoop(CheckpointStore store, string connectionString, int batchSize, long expected)
        : base(store, batchSize, Group, connectionString, new EventProcessorOptions { PrefetchCount = 2 * batchSize, LoadBalancingStrategy = LoadBalancingStrategy.Greedy, LoadBalancingUpdateInterval = TimeSpan.FromSeconds(1) })
    {
        _expected = expected;
    }

    public static async Task<(long Events, TimeSpan Elapsed)> DrainAsync(CheckpointStore store, string connectionString, int batchSize, long expected, TimeSpan timeout)
    {
        var loop = new BareEventHubsLoop(store, connectionString, batchSize, expected);
        await loop.StartProcessingAsync();
        try
        {
            await loop._done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The bare loop checkpointed {Interlocked.Read(ref loop._checkpointed)} of {expected} events within {timeout}.");
        }
        finally
        {
            await loop.StopProcessingAsync();
        }

        return (Interlocked.Read(ref loop._checkpointed), Stopwatch.GetElapsedTime(loop._started));
    }

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var batch = events as IReadOnlyList<EventData> ?? [.. events];
        if (batch.Count == 0)
        {
            return;
        }

        Interlocked.CompareExchange(ref _started, Stopwatch.GetTimestamp(), 0);
        await UpdateCheckpointAsync(partition.PartitionId, CheckpointPosition.FromEvent(batch[^1]), cancellationToken);
        if (Interlocked.Add(ref _checkpointed, batch.Count) >= _expected)
        {
            _done.TrySetResult();
        }
    }

    protected override Task OnProcessingErrorAsync(Exception exception, EventProcessorPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"  bare loop: {operationDescription} failed on partition {partition?.PartitionId ?? "(none)"}: {exception.Message}");
        return Task.CompletedTask;
    }
}
