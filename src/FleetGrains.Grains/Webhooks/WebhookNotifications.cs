using System.Text.Json;
using System.Text.Json.Serialization;
using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Webhooks;

/// <summary>
/// The notifications the grains send to their fleet's webhooks. Ids are made from what they are about (fleet,
/// device, episode start, work order), so a notification sent twice has one id and a receiver keeps it once.
/// </summary>
public static class WebhookNotifications
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static WebhookNotification Anomaly(string fleetId, WebhookEvent kind, AnomalyEpisode episode, DateTimeOffset at) => new(
        $"{fleetId}/{episode.DeviceId}/{episode.StartSeq}/{kind}",
        kind,
        fleetId,
        episode.DeviceId,
        episode.Severity,
        at,
        JsonSerializer.Serialize(episode, Json));

    public static WebhookNotification WorkOrderCreated(string fleetId, WorkOrder order, DateTimeOffset at) => new(
        $"{fleetId}/{order.Id}/{WebhookEvent.WorkOrderCreated}",
        WebhookEvent.WorkOrderCreated,
        fleetId,
        order.DeviceId,
        Severity: null,
        at,
        JsonSerializer.Serialize(order, Json));

    public static WebhookNotification DeviceOffline(string fleetId, DeviceStatus status, DateTimeOffset at) => new(
        $"{fleetId}/{status.DeviceId}/{WebhookEvent.DeviceOffline}/{status.LastSeen.ToUnixTimeMilliseconds()}",
        WebhookEvent.DeviceOffline,
        fleetId,
        status.DeviceId,
        Severity: null,
        at,
        JsonSerializer.Serialize(status with { Health = HealthState.Offline }, Json));
}
