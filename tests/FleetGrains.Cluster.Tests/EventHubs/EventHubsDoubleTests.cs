using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.EventHubsDouble;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>The test double against the real Azure.Messaging.EventHubs clients, unchanged: what the source's proofs rely on.</summary>
public sealed class EventHubsDoubleTests : IAsyncLifetime
{
    private static readonly EventHubsRetryOptions QuickRetries = new() { MaximumRetries = 3, TryTimeout = TimeSpan.FromSeconds(10), Delay = TimeSpan.FromMilliseconds(100) };

    private EventHubsDouble.EventHubsDouble _hub = null!;

    public Task InitializeAsync()
    {
        _hub = EventHubsDouble.EventHubsDouble.Start("telemetry", partitions: 3, "fleetgrains");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task TheProducer_SendsBatchesAndSingleEvents_AndTheConsumerReadsThemWithTheServicesAnnotations()
    {
        await using var producer = Producer();
        var properties = await producer.GetEventHubPropertiesAsync();
        Assert.Equal("telemetry", properties.Name);
        Assert.Equal(["0", "1", "2"], properties.PartitionIds);

        using (var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = "1" }))
        {
            Assert.Equal(EventHubsDouble.EventHubsDouble.MaxMessageBytes, batch.MaximumSizeInBytes);
            Assert.True(batch.TryAdd(new EventData("first") { ContentType = "application/json", Properties = { ["fleetId"] = "north" } }));
            Assert.True(batch.TryAdd(new EventData("second")));
            await producer.SendAsync(batch);
        }

        await producer.SendAsync([new EventData("third")], new SendEventOptions { PartitionId = "1" });
        var partition = await producer.GetPartitionPropertiesAsync("1");
        Assert.Equal((0L, 2L, false), (partition.BeginningSequenceNumber, partition.LastEnqueuedSequenceNumber, partition.IsEmpty));

        await using var consumer = Consumer("$Default");
        var read = await ReadAsync(consumer, "1", EventPosition.Earliest, 3);
        Assert.Equal(["first", "second", "third"], read.Select(e => e.EventBody.ToString()));
        Assert.Equal([0L, 1L, 2L], read.Select(e => e.SequenceNumber));
        Assert.Equal("north", read[0].Properties["fleetId"]);
        Assert.Equal("application/json", read[0].ContentType);
        Assert.True(long.Parse(read[1].OffsetString) > long.Parse(read[0].OffsetString));
        Assert.InRange(read[2].EnqueuedTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var fromSecond = await ReadAsync(consumer, "1", EventPosition.FromSequenceNumber(1, isInclusive: true), 2);
        Assert.Equal(["second", "third"], fromSecond.Select(e => e.EventBody.ToString()));
        var afterFirstOffset = await ReadAsync(consumer, "1", EventPosition.FromOffset(read[0].OffsetString, isInclusive: false), 2);
        Assert.Equal(["second", "third"], afterFirstOffset.Select(e => e.EventBody.ToString()));
    }

    [Fact]
    public async Task APartitionKey_AlwaysLandsOnOnePartition()
    {
        await using var producer = Producer();
        for (var i = 0; i < 5; i++)
        {
            await producer.SendAsync([new EventData($"e{i}")], new SendEventOptions { PartitionKey = "pump-7" });
        }

        Assert.Single(_hub.Counts, c => c == 5);
        Assert.Equal(5, _hub.Counts.Sum());
    }

    [Fact]
    public async Task AReceiverWithAHigherEpoch_TakesThePartition_AndTheOneItDisplacedIsToldItWasDisconnected()
    {
        _hub.Append("0", "x"u8.ToArray());
        await using var first = Consumer("fleetgrains");
        await using var second = Consumer("fleetgrains");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var firstHasRead = new TaskCompletionSource();
        var firstReads = ReadUntilStoppedAsync(first, 0, stop.Token, firstHasRead);
        await firstHasRead.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The new owner keeps its link open until the end: the client of the displaced receiver may open a new link
        // before it has seen the detach (a race in the SDK), and that attempt must be refused, not take the partition back.
        var secondHasRead = new TaskCompletionSource();
        var secondReads = ReadUntilStoppedAsync(second, 1, stop.Token, secondHasRead);
        await secondHasRead.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<EventHubsException>(() => firstReads.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, error.Reason);
        Assert.False(secondReads.IsCompleted, "the receiver with the higher epoch kept reading");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondReads);
    }

    [Fact]
    public async Task AWrongKey_IsRefusedAsUnauthorized()
    {
        var wrong = _hub.ConnectionString.Replace(_hub.Key, Convert.ToBase64String(new byte[32]), StringComparison.Ordinal);
        await using var producer = new EventHubProducerClient(wrong, new EventHubProducerClientOptions { RetryOptions = QuickRetries });

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => producer.SendAsync([new EventData("x")]));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => producer.GetEventHubPropertiesAsync());
        Assert.Equal(0, _hub.Counts.Sum());
    }

    [Fact]
    public async Task AfterACrashAndRestart_TheClientsReconnect_AndTheEventsAreStillThere()
    {
        await using var producer = Producer();
        await producer.SendAsync([new EventData("before")], new SendEventOptions { PartitionId = "2" });

        await _hub.RestartAsync(TimeSpan.FromSeconds(1));
        await producer.SendAsync([new EventData("after")], new SendEventOptions { PartitionId = "2" });

        await using var consumer = Consumer("$Default");
        var read = await ReadAsync(consumer, "2", EventPosition.Earliest, 2);
        Assert.Equal(["before", "after"], read.Select(e => e.EventBody.ToString()));
    }

    private EventHubProducerClient Producer() => new(_hub.ConnectionString, new EventHubProducerClientOptions { RetryOptions = QuickRetries });

    private EventHubConsumerClient Consumer(string group) => new(group, _hub.ConnectionString, new EventHubConsumerClientOptions { RetryOptions = QuickRetries });

    private static Task ReadUntilStoppedAsync(EventHubConsumerClient consumer, long ownerLevel, CancellationToken stop, TaskCompletionSource hasRead)
    {
        var options = new ReadEventOptions { OwnerLevel = ownerLevel, MaximumWaitTime = TimeSpan.FromMilliseconds(200) };
        return Task.Run(async () =>
        {
            await foreach (var e in consumer.ReadEventsFromPartitionAsync("0", EventPosition.Earliest, options, stop))
            {
                if (e.Data is not null)
                {
                    hasRead.TrySetResult();
                }
            }
        });
    }

    private static async Task<List<EventData>> ReadAsync(EventHubConsumerClient consumer, string partition, EventPosition from, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new List<EventData>();
        await foreach (var e in consumer.ReadEventsFromPartitionAsync(partition, from, new ReadEventOptions(), timeout.Token))
        {
            if (e.Data is not null)
            {
                read.Add(e.Data);
            }

            if (read.Count == count)
            {
                break;
            }
        }

        return read;
    }
}
