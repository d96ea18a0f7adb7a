namespace FleetGrains.Abstractions;

/// <summary>
/// A webhook and how its deliveries go: notifications waiting (<see cref="Pending"/>), delivered, and given up after
/// every attempt failed or dropped because too many were waiting (<see cref="Failed"/>); the failures in a row since the
/// last success, and the last error, so that a failing endpoint shows.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WebhookStatus(
    [property: Id(0)] WebhookSubscription Subscription,
    [property: Id(1)] int Pending,
    [property: Id(2)] long Delivered,
    [property: Id(3)] long Failed,
    [property: Id(4)] int ConsecutiveFailures,
    [property: Id(5)] DateTimeOffset? LastDeliveredAt,
    [property: Id(6)] DateTimeOffset? LastFailureAt,
    [property: Id(7)] string? LastError)
{
    public bool Failing => ConsecutiveFailures > 0;
}
