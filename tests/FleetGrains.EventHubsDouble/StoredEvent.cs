using Amqp.Framing;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// One event as a partition keeps it: what the publisher sent (body, properties, application properties, and
/// annotations such as IoT Hub's <c>iothub-connection-device-id</c>) and what the hub gave it (sequence number,
/// offset, enqueued time, partition key).
/// </summary>
public sealed record StoredEvent(
    long SequenceNumber,
    long Offset,
    DateTime EnqueuedTimeUtc,
    string? PartitionKey,
    byte[] Body,
    Properties? Properties,
    Map? ApplicationProperties,
    Map? Annotations);
