namespace FleetGrains.Ingestion.Mqtt;

/// <summary>
/// Checks the topic filters of MQTT partitions: each of the form <c>fleets/{fleet or +}/devices/{device or +}/telemetry</c>,
/// and no two matching one topic (a device's messages would reach two readers, out of order, and twice).
/// </summary>
public static class MqttPartitionFilters
{
    public static IEnumerable<string> Problems(IReadOnlyList<string> filters)
    {
        if (filters.Count > 1024)
        {
            yield return $"at most 1024 partitions (got {filters.Count})";
        }

        for (var i = 0; i < filters.Count; i++)
        {
            if (Levels(filters[i]) is not { } levels)
            {
                yield return $"'{filters[i]}' is not fleets/{{fleetId or +}}/devices/{{deviceId or +}}/telemetry";
                continue;
            }

            for (var j = 0; j < i; j++)
            {
                if (Levels(filters[j]) is { } other && Overlap(levels, other))
                {
                    yield return $"'{filters[j]}' and '{filters[i]}' both match some topics; partitions must not overlap";
                }
            }
        }
    }

    // The fleet and device levels, or null when the filter has another shape.
    private static (string Fleet, string Device)? Levels(string filter) =>
        filter.Split('/') is ["fleets", var fleet, "devices", var device, "telemetry"] && IsLevel(fleet) && IsLevel(device) ? (fleet, device) : null;

    private static bool IsLevel(string level) => level == "+" || TelemetryValidator.IsValidId(level);

    private static bool Overlap((string Fleet, string Device) a, (string Fleet, string Device) b) =>
        Matches(a.Fleet, b.Fleet) && Matches(a.Device, b.Device);

    private static bool Matches(string a, string b) => a == "+" || b == "+" || a == b;
}
