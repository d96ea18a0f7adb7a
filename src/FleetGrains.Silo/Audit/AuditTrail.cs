using System.Text.Json;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Audit;

/// <summary>
/// Writes what an endpoint changed to the audit log, with who asked. The change is already done when this
/// runs; an entry the log could not take is written to the silo's log at Error instead (it is never lost silently).
/// </summary>
public sealed partial class AuditTrail(IAuditLog log, TimeProvider time, IOptions<JsonOptions> json, ILogger<AuditTrail> logger)
{
    public async Task RecordAsync(HttpContext http, string fleetId, string? deviceId, string? target, object? before, object? after) =>
        await WriteAsync(http, fleetId, deviceId, target, before, after);

    /// <summary>An action on the cluster, not on one fleet (API keys).</summary>
    public async Task RecordClusterAsync(HttpContext http, string? target, object? before, object? after) =>
        await WriteAsync(http, null, null, target, before, after);

    private async Task WriteAsync(HttpContext http, string? fleetId, string? deviceId, string? target, object? before, object? after)
    {
        var action = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"{http.Request.Method} {http.Request.Path}";
        var entry = new AuditEntry(
            "",
            time.GetUtcNow(),
            http.User.Credential() ?? "unknown",
            http.User.Identity?.Name ?? "unknown",
            http.Connection.RemoteIpAddress?.ToString(),
            action,
            fleetId,
            deviceId,
            target,
            Element(before),
            Element(after));
        try
        {
            await log.AddAsync(entry);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotRecorded(ex, entry.Actor, entry.Action, entry.FleetId, entry.DeviceId, entry.Target, entry.Before?.GetRawText(), entry.After?.GetRawText());
        }
    }

    private JsonElement? Element(object? value) =>
        value is null ? null : JsonSerializer.SerializeToElement(value, value.GetType(), json.Value.SerializerOptions);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit entry not written to the audit log: {Actor} did {Action} on fleet {FleetId} device {DeviceId} target {Target}; before {Before}; after {After}")]
    private partial void LogNotRecorded(Exception ex, string actor, string action, string? fleetId, string? deviceId, string? target, string? before, string? after);
}
