namespace FleetGrains.Ingestion.Mqtt;

/// <summary>The topic scheme of device telemetry: <c>fleets/{fleetId}/devices/{deviceId}/telemetry</c>.</summary>
public static class MqttTopic
{
    public const string Filter = "fleets/+/devices/+/telemetry";

    public static string For(string fleetId, string deviceId) => $"fleets/{fleetId}/devices/{deviceId}/telemetry";

    public static bool TryParse(string topic, out string fleetId, out string deviceId)
    {
        var parts = topic.Split('/');
        var valid = parts is ["fleets", { Length: > 0 }, "devices", { Length: > 0 }, "telemetry"];
        (fleetId, deviceId) = valid ? (parts[1], parts[3]) : ("", "");
        return valid;
    }
}
