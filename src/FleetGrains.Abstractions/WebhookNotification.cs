namespace FleetGrains.Abstractions;

/// <summary>
/// One thing that happened in a fleet, for its webhooks: <see cref="Id"/> is the same in every delivery attempt (the
/// receiver's de-duplication key); <see cref="Data"/> is the JSON of what it is about (the episode, the work order,
/// the device's last status). <see cref="Severity"/> is the episode's, for the webhooks' minimum severity.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WebhookNotification(
    [property: Id(0)] string Id,
    [property: Id(1)] WebhookEvent Event,
    [property: Id(2)] string FleetId,
    [property: Id(3)] string? DeviceId,
    [property: Id(4)] HealthState? Severity,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string Data);
