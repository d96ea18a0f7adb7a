using System.Globalization;
using Confluent.Kafka;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// A workload as Kafka messages on one topic of <paramref name="kafka"/>, keyed by device (a device's messages on one
/// partition, in order): first every device's warm-up event, then one message per device and round with that round's
/// events. Produced before a silo reads; a silo's drain is measured on its group's committed offsets.
/// </summary>
public sealed class KafkaIngest(KafkaMockCluster kafka, IngestWorkload workload, int partitions) : IDisposable
{
    public const string Topic = "fleet-telemetry";
    public const string SiloGroup = "fleetgrains";

    private readonly IConsumer<Ignore, Ignore> _probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = SiloGroup }).Build();

    public long WarmupEntries => workload.Devices;

    public long Entries => workload.Devices * (1L + workload.Rounds);

    public IReadOnlyList<TopicPartition> Partitions { get; } = [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(Topic, p))];

    /// <summary>Adds to a silo's settings what makes it read this topic.</summary>
    public void ReadBy(Dictionary<string, string> settings, int batchSize)
    {
        settings["Fleet:Sources:Kafka:Enabled"] = "true";
        settings["Fleet:Sources:Kafka:BootstrapServers"] = kafka.BootstrapServers;
        settings["Fleet:Sources:Kafka:Topic"] = Topic;
        settings["Fleet:Sources:Kafka:GroupId"] = SiloGroup;
        settings["Fleet:Sources:Kafka:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture);
    }

    public Task ProduceAsync()
    {
        kafka.CreateTopic(Topic, partitions);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
        Headers? headers = workload.Format == WorkloadFormat.Binary
            ? new Headers { { KafkaMessages.ContentTypeHeader, System.Text.Encoding.UTF8.GetBytes(BinaryBatchDecoder.ContentType) } }
            : null;
        var failed = 0;
        void Delivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        }

        // Produce, not ProduceAsync: awaiting deliveries in a loop can continue on librdkafka's delivery thread, which
        // must never wait for room in the queue it alone empties.
        void Send(int device, byte[] value)
        {
            var message = new Message<string, byte[]> { Key = IngestWorkload.DeviceId(device), Value = value, Headers = headers };
            while (true)
            {
                try
                {
                    producer.Produce(Topic, message, Delivered);
                    return;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(100));
                }
            }
        }

        for (var d = 0; d < workload.Devices; d++)
        {
            Send(d, workload.Event(d, 0));
        }

        for (var round = 0; round < workload.Rounds; round++)
        {
            for (var d = 0; d < workload.Devices; d++)
            {
                Send(d, workload.DeviceBatch(d, round));
            }
        }

        var undelivered = producer.Flush(TimeSpan.FromMinutes(5));
        if (undelivered > 0 || failed > 0)
        {
            throw new InvalidOperationException($"{undelivered} messages were not delivered in time and {failed} failed.");
        }

        // The mock cluster keeps about 5 MB per partition and drops older messages beyond it: a backlog that does not
        // fit could never be drained in full.
        var dropped = Partitions.Sum(p => _probe.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).Low.Value);
        if (dropped > 0)
        {
            throw new InvalidOperationException(
                $"The mock cluster dropped the oldest {dropped} of {Entries} messages (it keeps about 5 MB a partition): use more --partitions or fewer --devices.");
        }

        return Task.CompletedTask;
    }

    /// <summary>The messages of every partition the silos' group has committed (a partition's committed offset counts its messages before it).</summary>
    public long Committed() => _probe.Committed(Partitions, TimeSpan.FromSeconds(10)).Sum(c => c.Offset == Offset.Unset ? 0 : c.Offset.Value);

    /// <summary>Measures a silo reading the topic (<see cref="SiloDrain"/>): done means committed by the silos' group.</summary>
    public Task<IngestRun> MeasureSiloDrainAsync(string mode, SiloProcess silo, TimeSpan timeout) =>
        SiloDrain.MeasureAsync(mode, silo, workload, WarmupEntries, Entries, () => Task.FromResult(Committed()), timeout);

    public void Dispose() => _probe.Dispose();
}
