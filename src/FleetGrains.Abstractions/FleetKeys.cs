namespace FleetGrains.Abstractions;

/// <summary>How fleet, shard and device grain keys are formed.</summary>
public static class FleetKeys
{
    public static string Device(string fleetId, string deviceId) => $"{fleetId}/{deviceId}";

    public static (string FleetId, string DeviceId) ParseDevice(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"Device key '{key}' is not of the form {{fleetId}}/{{deviceId}}.", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }

    public static string Shard(string fleetId, int shard) => $"{fleetId}/{shard}";

    public static (string FleetId, int Shard) ParseShard(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), out var shard))
        {
            throw new ArgumentException($"Shard key '{key}' is not of the form {{fleetId}}/{{shard}}.", nameof(key));
        }

        return (key[..slash], shard);
    }

    /// <summary>
    /// The shard a device belongs to. FNV-1a over the UTF-16 code units, because
    /// <see cref="string.GetHashCode()"/> differs between processes and would move devices between shards.
    /// </summary>
    public static int ShardOf(string deviceId, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var hash = 2166136261u;
        foreach (var c in deviceId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shardCount);
    }
}
