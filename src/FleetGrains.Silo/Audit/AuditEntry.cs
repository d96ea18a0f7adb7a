using System.Text.Json;

namespace FleetGrains.Silo.Audit;

/// <summary>
/// One state-changing action, as it was done: <see cref="Actor"/> (the credential: <c>apikey:&lt;id&gt;</c>,
/// <c>apikey:admin</c>, <c>jwt:&lt;subject&gt;</c> or <c>open</c>) and its name, the address it came from, the
/// action (the endpoint's name), what it was done to, and the values before and after it.
/// </summary>
public sealed record AuditEntry(
    string Id,
    DateTimeOffset At,
    string Actor,
    string ActorName,
    string? From,
    string Action,
    string? FleetId,
    string? DeviceId,
    string? Target,
    JsonElement? Before,
    JsonElement? After);

/// <summary>Where audit entries are kept: every entry in one bounded log, and again in its fleet's bounded log.</summary>
public interface IAuditLog
{
    Task AddAsync(AuditEntry entry);

    /// <summary>The newest entries (up to <paramref name="count"/>): of one fleet (its own log) or of all, of one device when given.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAsync(string? fleetId, string? deviceId, int count);
}
