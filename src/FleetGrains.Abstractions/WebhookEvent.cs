namespace FleetGrains.Abstractions;

/// <summary>What a fleet's webhook can be told about.</summary>
[GenerateSerializer]
public enum WebhookEvent
{
    /// <summary>A device opened an alarm episode (at or above the webhook's minimum severity).</summary>
    AnomalyRaised,

    /// <summary>An operator acknowledged an alarm episode.</summary>
    AnomalyAcknowledged,

    /// <summary>An operator cleared an alarm episode.</summary>
    AnomalyCleared,

    /// <summary>The maintenance plan opened a work order for a device.</summary>
    WorkOrderCreated,

    /// <summary>A device went silent for longer than its expected interval.</summary>
    DeviceOffline,
}
