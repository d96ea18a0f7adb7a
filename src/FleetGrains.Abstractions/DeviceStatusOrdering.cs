namespace FleetGrains.Abstractions;

/// <summary>The one ordering of device statuses that shards and the API both use.</summary>
public static class DeviceStatusOrdering
{
    public static IComparer<DeviceStatus> For(DeviceSortOrder sort) => sort switch
    {
        DeviceSortOrder.Severity => Descending(s => s.Severity ?? -1f),
        DeviceSortOrder.Score => Descending(s => s.Score ?? -1f),
        DeviceSortOrder.LastSeen => Comparer<DeviceStatus>.Create((a, b) =>
            Tiebreak(b.LastSeen.CompareTo(a.LastSeen), a, b)),
        DeviceSortOrder.DeviceId => Comparer<DeviceStatus>.Create((a, b) =>
            string.CompareOrdinal(a.DeviceId, b.DeviceId)),
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "Unknown sort order."),
    };

    private static IComparer<DeviceStatus> Descending(Func<DeviceStatus, float> key) =>
        Comparer<DeviceStatus>.Create((a, b) => Tiebreak(key(b).CompareTo(key(a)), a, b));

    private static int Tiebreak(int primary, DeviceStatus a, DeviceStatus b) =>
        primary != 0 ? primary : string.CompareOrdinal(a.DeviceId, b.DeviceId);
}
