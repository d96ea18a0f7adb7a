using System.Text;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>
/// The partition a device's events belong on: FNV-1a (32-bit) of the UTF-8 bytes of <c>{fleetId}/{deviceId}</c>,
/// modulo the partition count. Producers use it so that one silo reads a device's events, in order.
/// </summary>
public static class StreamPartitioner
{
    public static int PartitionOf(string fleetId, string deviceId, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes($"{fleetId}/{deviceId}"))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }

    public static string StreamKey(string prefix, int partition) => $"{prefix}:{partition}";
}
