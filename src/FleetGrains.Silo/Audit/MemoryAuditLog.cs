using System.Globalization;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Audit;

/// <summary>The audit log of a silo without Redis (the embedded default), in memory, bounded like the Redis one.</summary>
public sealed class MemoryAuditLog(IOptions<AuditOptions> options) : IAuditLog
{
    private readonly LinkedList<AuditEntry> _all = new();
    private readonly Dictionary<string, LinkedList<AuditEntry>> _byFleet = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextId;

    public Task AddAsync(AuditEntry entry)
    {
        lock (_lock)
        {
            var numbered = entry with { Id = (++_nextId).ToString(CultureInfo.InvariantCulture) };
            Prepend(_all, numbered, options.Value.MaxEntries);
            if (entry.FleetId is { } fleetId)
            {
                if (!_byFleet.TryGetValue(fleetId, out var fleet))
                {
                    _byFleet[fleetId] = fleet = new LinkedList<AuditEntry>();
                }

                Prepend(fleet, numbered, options.Value.MaxEntriesPerFleet);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAsync(string? fleetId, string? deviceId, int count)
    {
        lock (_lock)
        {
            var log = fleetId is null ? _all : _byFleet.GetValueOrDefault(fleetId);
            IReadOnlyList<AuditEntry> entries = log is null ? [] : [.. log.Where(e => deviceId is null || e.DeviceId == deviceId).Take(count)];
            return Task.FromResult(entries);
        }
    }

    private static void Prepend(LinkedList<AuditEntry> log, AuditEntry entry, int max)
    {
        log.AddFirst(entry);
        while (log.Count > max)
        {
            log.RemoveLast();
        }
    }
}
