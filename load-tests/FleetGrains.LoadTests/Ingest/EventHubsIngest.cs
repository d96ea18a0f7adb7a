using System.Globalization;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.LocalServers;
using StackExchange.Redis;
using EventHubsTestDouble = FleetGrains.EventHubsDouble.EventHubsDouble;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// A workload as events of an Event Hub (the test double in this process), a device's events on the partition its id
/// hashes to, in order: first every device's warm-up event, then one event per device and round with that round's
/// events. Published beforehand with the real producer; a silo's drain is measured on its consumer group's checkpoints
/// in <paramref name="redis"/>.
/// </summary>
public sealed class EventHubsIngest(EventHubsTestDouble hub, RedisServer redis, IngestWorkload workload)
{
    public const string SiloGroup = "fleetgrains";
    public const string CheckpointPrefix = "fleet:eventhubs";

    public long WarmupEntries => workload.Devices;

    public long Entries => workload.Devices * (1L + workload.Rounds);

    /// <summary>Adds to a silo's settings what makes it read this hub, checkpointing in the Redis.</summary>
    public void ReadBy(Dictionary<string, string> settings, int batchSize)
    {
        settings["Fleet:Sources:Redis"] = redis.ConnectionString;
        settings["Fleet:Sources:EventHubs:Enabled"] = "true";
        settings["Fleet:Sources:EventHubs:ConnectionString"] = hub.ConnectionString;
        settings["Fleet:Sources:EventHubs:ConsumerGroup"] = SiloGroup;
        settings["Fleet:Sources:EventHubs:CheckpointPrefix"] = CheckpointPrefix;
        settings["Fleet:Sources:EventHubs:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture);
        settings["Fleet:Sources:EventHubs:PrefetchCount"] = (2 * batchSize).ToString(CultureInfo.InvariantCulture);
        settings["Fleet:Sources:EventHubs:LoadBalancing"] = "Greedy";
    }

    /// <summary>Publishes every event, each partition's in batches as large as the hub takes.</summary>
    public async Task ProduceAsync()
    {
        await using var producer = new EventHubProducerClient(hub.ConnectionString);
        var byPartition = hub.Hub.Partitions.ToDictionary(p => p.Id, _ => new List<EventData>());
        void Add(int device, byte[] body) =>
            byPartition[hub.Hub.PartitionFor(IngestWorkload.DeviceId(device)).Id].Add(new EventData(body) { ContentType = workload.ContentType });

        for (var d = 0; d < workload.Devices; d++)
        {
            Add(d, workload.Event(d, 0));
        }

        for (var round = 0; round < workload.Rounds; round++)
        {
            for (var d = 0; d < workload.Devices; d++)
            {
                Add(d, workload.DeviceBatch(d, round));
            }
        }

        await Task.WhenAll(byPartition.Select(p => PublishAsync(producer, p.Key, p.Value)));
        if (hub.Counts.Sum() != Entries)
        {
            throw new InvalidOperationException($"The hub holds {hub.Counts.Sum()} of {Entries} events.");
        }
    }

    /// <summary>The events of every partition the consumer group has checkpointed (a checkpoint at sequence number n counts n + 1).</summary>
    public async Task<long> CheckpointedAsync(IDatabase db, string group) =>
        (await new RedisCheckpointStore(() => Task.FromResult(db), CheckpointPrefix, TimeProvider.System)
            .ListCheckpointedSequenceNumbersAsync(hub.FullyQualifiedNamespace, hub.Hub.Name, group)).Values.Sum(s => s + 1);

    /// <summary>Measures a silo reading the hub (<see cref="SiloDrain"/>): done means checkpointed by the silos' group.</summary>
    public Task<IngestRun> MeasureSiloDrainAsync(string mode, SiloProcess silo, IDatabase db, TimeSpan timeout) =>
        SiloDrain.MeasureAsync(mode, silo, workload, WarmupEntries, Entries, () => CheckpointedAsync(db, SiloGroup), timeout);

    private static async Task PublishAsync(EventHubProducerClient producer, string partition, List<EventData> events)
    {
        var next = 0;
        while (next < events.Count)
        {
            using var batch = await producer.CreateBatchAsync(new CreateBatchOptions { PartitionId = partition });
            while (next < events.Count && batch.TryAdd(events[next]))
            {
                next++;
            }

            if (batch.Count == 0)
            {
                throw new InvalidOperationException($"An event of {events[next].EventBody.ToMemory().Length} bytes does not fit a batch.");
            }

            await producer.SendAsync(batch);
        }
    }
}
