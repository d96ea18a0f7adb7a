using FleetGrains.Abstractions;

namespace FleetGrains.Silo.Api;

/// <summary>
/// Body of <c>PUT /api/fleets/{fleetId}/webhooks/{name}</c>: where to post, the secret deliveries are signed with,
/// the events wanted and, for alarm events, the lowest severity (Warning when left out).
/// </summary>
public sealed record WebhookRequest(string? Url, string? Secret, IReadOnlyList<WebhookEvent>? Events, HealthState? MinSeverity);
