namespace FleetGrains.Abstractions;

/// <summary>
/// Where a fleet's notifications go: an http(s) <see cref="Url"/>, the <see cref="Events"/> it wants, and for the
/// anomaly events the lowest severity it wants (<see cref="HealthState.Warning"/> or <see cref="HealthState.Critical"/>).
/// The secret it is signed with is kept apart and never read back.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WebhookSubscription(
    [property: Id(0)] string Name,
    [property: Id(1)] Uri Url,
    [property: Id(2)] HealthState MinSeverity,
    [property: Id(3)] IReadOnlyList<WebhookEvent> Events);
