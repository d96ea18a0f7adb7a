using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>
/// A fleet's webhooks (key: the fleet id): their subscriptions, and an outbox per webhook whose notifications are
/// posted in order, signed, retried with growing pauses, kept in the grain's state until delivered (at least once).
/// </summary>
[Alias("FleetGrains.IFleetWebhooksGrain")]
public interface IFleetWebhooksGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces the webhook <paramref name="subscription"/> names; its waiting notifications stay.</summary>
    [Alias("Put")]
    Task<WebhookStatus> PutAsync(WebhookSubscription subscription, string secret);

    /// <summary>Removes a webhook and what waits for it; false when there was none of that name.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string name);

    [Alias("List")]
    Task<IReadOnlyList<WebhookStatus>> ListAsync();

    /// <summary>Queues <paramref name="notification"/> for every webhook that wants it; never waits for a delivery.</summary>
    [Alias("Notify"), OneWay]
    Task NotifyAsync(WebhookNotification notification);
}
