using System.Text.Json;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Silo.Audit;

/// <summary>
/// The audit log in Redis streams, shared by every silo: each entry is added to the stream of all entries and
/// to its fleet's stream in one transaction, each trimmed to its bound.
/// </summary>
public sealed class RedisAuditLog(SourceRedis redis, IOptions<AuditOptions> options) : IAuditLog
{
    private readonly AuditOptions _options = options.Value;

    public async Task AddAsync(AuditEntry entry)
    {
        var db = await redis.DatabaseAsync();
        var fields = Fields(entry);
        var transaction = db.CreateTransaction();
        var all = transaction.StreamAddAsync(_options.Stream, fields, maxLength: _options.MaxEntries);
        var fleet = entry.FleetId is { } fleetId
            ? transaction.StreamAddAsync(FleetStream(fleetId), fields, maxLength: _options.MaxEntriesPerFleet)
            : Task.FromResult(RedisValue.Null);
        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException("The audit entry's transaction was not executed.");
        }

        await Task.WhenAll(all, fleet);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string? fleetId, string? deviceId, int count)
    {
        var db = await redis.DatabaseAsync();
        RedisKey stream = fleetId is null ? _options.Stream : FleetStream(fleetId);
        return await NewestEntries.ReadAsync(db, stream, count, item =>
        {
            var entry = Parse(item);
            return deviceId is null || entry.DeviceId == deviceId ? entry : null;
        });
    }

    private RedisKey FleetStream(string fleetId) => $"{_options.Stream}:{fleetId}";

    // Redis takes no null values: a field without a value is left out, and read back as null.
    private static NameValueEntry[] Fields(AuditEntry e) =>
    [
        .. new (string Name, RedisValue Value)[]
        {
            ("at", e.At.ToUnixTimeMilliseconds()),
            ("actor", e.Actor),
            ("actorName", e.ActorName),
            ("from", e.From),
            ("action", e.Action),
            ("fleet", e.FleetId),
            ("device", e.DeviceId),
            ("target", e.Target),
            ("before", e.Before?.GetRawText()),
            ("after", e.After?.GetRawText()),
        }.Where(f => !f.Value.IsNull).Select(f => new NameValueEntry(f.Name, f.Value)),
    ];

    private static AuditEntry Parse(StreamEntry item) => new(
        item.Id!,
        DateTimeOffset.FromUnixTimeMilliseconds((long)item["at"]),
        item["actor"]!,
        item["actorName"]!,
        Text(item["from"]),
        item["action"]!,
        Text(item["fleet"]),
        Text(item["device"]),
        Text(item["target"]),
        Json(item["before"]),
        Json(item["after"]));

    private static string? Text(RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    private static JsonElement? Json(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonDocument.Parse((string)value!).RootElement.Clone();
}
