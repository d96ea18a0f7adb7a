using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Webhooks;

/// <summary>A fleet's webhooks, each with its secret, its outbox and its delivery record.</summary>
[GenerateSerializer]
public sealed class FleetWebhooksState
{
    [Id(0)]
    public Dictionary<string, WebhookEndpoint> Endpoints { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer]
public sealed class WebhookEndpoint
{
    [Id(0)]
    public required WebhookSubscription Subscription { get; set; }

    [Id(1)]
    public required string Secret { get; set; }

    /// <summary>Notifications not delivered yet, oldest first; they are posted in this order.</summary>
    [Id(2)]
    public List<WebhookNotification> Outbox { get; set; } = [];

    /// <summary>Attempts of the outbox's first notification so far.</summary>
    [Id(3)]
    public int Attempts { get; set; }

    [Id(4)]
    public DateTimeOffset NextAttemptAt { get; set; }

    [Id(5)]
    public long Delivered { get; set; }

    [Id(6)]
    public long Failed { get; set; }

    [Id(7)]
    public int ConsecutiveFailures { get; set; }

    [Id(8)]
    public DateTimeOffset? LastDeliveredAt { get; set; }

    [Id(9)]
    public DateTimeOffset? LastFailureAt { get; set; }

    [Id(10)]
    public string? LastError { get; set; }

    public WebhookStatus Status => new(Subscription, Outbox.Count, Delivered, Failed, ConsecutiveFailures, LastDeliveredAt, LastFailureAt, LastError);

    public bool Wants(WebhookNotification notification) =>
        Subscription.Events.Contains(notification.Event)
        && (notification.Severity is not { } severity || severity >= Subscription.MinSeverity);
}
