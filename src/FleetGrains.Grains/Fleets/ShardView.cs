using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Fleets;

/// <summary>Reads a shard's device statuses at a moment: Offline applied, summarised, filtered and sorted.</summary>
public static class ShardView
{
    /// <summary>The status with Offline applied when its deadline has passed.</summary>
    public static DeviceStatus AtTime(DeviceStatus status, DateTimeOffset now) =>
        now >= status.OfflineAfter && status.Health != HealthState.Offline ? status with { Health = HealthState.Offline } : status;

    public static ShardSummary Summarise(int shard, IEnumerable<DeviceStatus> devices, DateTimeOffset now, RollupOptions options)
    {
        var counts = Enum.GetValues<HealthState>().ToDictionary(s => s, _ => 0);
        var worst = new List<DeviceStatus>();
        var offline = new List<DeviceStatus>();
        var total = 0;
        DateTimeOffset? lastUpdated = null;
        foreach (var reported in devices)
        {
            var status = AtTime(reported, now);
            total++;
            counts[status.Health]++;
            lastUpdated = lastUpdated is { } seen && seen >= status.LastSeen ? seen : status.LastSeen;
            if (status.Health == HealthState.Offline)
            {
                offline.Add(status);
            }
            else if (status.Severity.HasValue)
            {
                worst.Add(status);
            }
        }

        return new ShardSummary(
            shard,
            total,
            counts,
            Top(worst, DeviceSortOrder.Severity, options.WorstDevices),
            offline.Count,
            Top(offline, DeviceSortOrder.LastSeen, options.MaxOfflineListed),
            lastUpdated);
    }

    /// <summary>The first <c>Offset + Limit</c> devices in the query's order, and how many match in all.</summary>
    public static DevicePage Query(IEnumerable<DeviceStatus> devices, DeviceQuery query, DateTimeOffset now)
    {
        var matching = devices
            .Select(d => AtTime(d, now))
            .Where(d => query.State is null || d.Health == query.State)
            .Where(d => query.IdContains is null || d.DeviceId.Contains(query.IdContains, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return new DevicePage(matching.Count, 0, Top(matching, query.Sort, query.Offset + query.Limit));
    }

    public static bool SameAs(ShardSummary a, ShardSummary b) =>
        a.DeviceCount == b.DeviceCount
        && a.OfflineCount == b.OfflineCount
        && a.Counts.All(kv => b.Counts.TryGetValue(kv.Key, out var n) && n == kv.Value)
        && a.Worst.SequenceEqual(b.Worst)
        && a.Offline.SequenceEqual(b.Offline);

    private static List<DeviceStatus> Top(List<DeviceStatus> devices, DeviceSortOrder sort, int count)
    {
        devices.Sort(DeviceStatusOrdering.For(sort));
        return devices.Count > count ? devices.GetRange(0, count) : devices;
    }
}
