using Confluent.Kafka;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Ingestion.Kafka;

/// <summary>
/// A Kafka message as the pipeline reads it: its value is one event, a JSON array or NDJSON of events, or — with a
/// <c>content-type</c> header of <see cref="BinaryBatchDecoder.ContentType"/> — a binary batch. Its position is
/// <c>{topic}/{partition}@{offset}</c>, as dead letters name it.
/// </summary>
public static class KafkaMessages
{
    public const string ContentTypeHeader = "content-type";

    public static string Position(TopicPartitionOffset at) => $"{at.Topic}/{at.Partition.Value}@{at.Offset.Value}";

    public static SourceMessage ToSourceMessage(ConsumeResult<Ignore, byte[]?> result)
    {
        var position = Position(result.TopicPartitionOffset);
        if (result.Message.Value is not { } value)
        {
            return new SourceMessage(position, ReadOnlyMemory<byte>.Empty, Problem: "the message has no value (a tombstone)");
        }

        var binary = result.Message.Headers is { } headers
            && headers.TryGetLastBytes(ContentTypeHeader, out var contentType)
            && BinaryBatchDecoder.IsBinary(contentType);
        return new SourceMessage(position, value, Binary: binary);
    }
}
