using System.Diagnostics;
using Confluent.Kafka;

namespace FleetGrains.LoadTests.Streams;

/// <summary>
/// The Kafka baseline of the <c>streams</c> scenario: a plain consume-and-commit loop over the same messages on the
/// same brokers — one consumer of its own group reading every partition, committing each partition's offset after
/// every <c>batch</c> messages — timed from its first message to its last commit.
/// </summary>
public static class BareKafkaLoop
{
    public const string Group = "bare";

    public static (long Messages, TimeSpan Elapsed) Drain(string bootstrapServers, string topic, long messages, int batch, TimeSpan timeout)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = Group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(topic);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var read = 0L;
        long? started = null;
        var last = new Dictionary<TopicPartition, Offset>();
        while (read < messages)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The bare loop read {read} of {messages} messages within {timeout}.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } result)
            {
                continue;
            }

            started ??= Stopwatch.GetTimestamp();
            read++;
            last[result.TopicPartition] = result.Offset + 1;
            if (read % batch == 0 || read == messages)
            {
                consumer.Commit([.. last.Select(l => new TopicPartitionOffset(l.Key, l.Value))]);
                last.Clear();
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started ?? Stopwatch.GetTimestamp());
        consumer.Close();
        return (read, elapsed);
    }
}
