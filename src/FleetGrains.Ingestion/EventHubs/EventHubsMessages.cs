using System.Globalization;
using Azure.Messaging.EventHubs;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// An Event Hubs event as the pipeline reads it: its body is one event, a JSON array or NDJSON of events, or — with
/// the content type <see cref="BinaryBatchDecoder.ContentType"/> — a binary batch. The device and fleet may come from
/// the event's properties (see <see cref="EventHubsSourceOptions.DeviceIdProperty"/>). Its position is
/// <c>{hub}/{partition}@{sequenceNumber}</c>, as dead letters name it.
/// </summary>
public static class EventHubsMessages
{
    public static string Position(string eventHub, string partition, long sequenceNumber) => $"{eventHub}/{partition}@{sequenceNumber}";

    public static SourceMessage ToSourceMessage(string eventHub, string partition, EventData data, EventHubsSourceOptions options) =>
        new(
            Position(eventHub, partition, data.SequenceNumber),
            data.EventBody.ToMemory(),
            FleetId: Property(data, options.FleetIdProperty),
            DeviceId: Property(data, options.DeviceIdProperty),
            Binary: BinaryBatchDecoder.IsBinary(data.ContentType));

    private static string? Property(EventData data, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var value = data.Properties.TryGetValue(name, out var own) ? own
            : data.SystemProperties.TryGetValue(name, out var system) ? system
            : null;
        return value switch
        {
            null => null,
            string text => text,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}
