namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// One message of a source: a payload of one event, a JSON array or NDJSON of events, or a binary batch
/// (<see cref="Binary"/>, see <see cref="FleetGrains.Ingestion.Binary.BinaryBatchDecoder"/>), and where it came from.
/// A source that names the device outside the payload (an MQTT topic) gives <see cref="FleetId"/> and
/// <see cref="DeviceId"/>: events that leave them out take them, events that name another device are rejected.
/// A message that cannot even be read as a payload carries the <see cref="Problem"/> instead.
/// </summary>
public sealed record SourceMessage(
    string Position, ReadOnlyMemory<byte> Payload, string? FleetId = null, string? DeviceId = null, string? Problem = null, bool Binary = false)
{
    /// <summary>Appends the payload's events to <paramref name="batch"/>, by the payload's format; throws <see cref="TelemetryFormatException"/> only, leaving nothing of the payload appended.</summary>
    public void DecodeInto(DecodedBatch batch)
    {
        if (Binary)
        {
            FleetGrains.Ingestion.Binary.BinaryBatchDecoder.DecodeInto(Payload, batch);
        }
        else
        {
            TelemetryDecoder.DecodeInto(Payload.Span, batch);
        }
    }
}
