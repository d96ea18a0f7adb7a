namespace FleetGrains.Abstractions;

public enum DeviceSortOrder
{
    /// <summary>Highest score relative to the device's own threshold first.</summary>
    Severity,
    /// <summary>Highest raw anomaly score first.</summary>
    Score,
    /// <summary>Most recently seen first.</summary>
    LastSeen,
    /// <summary>By device id, ascending.</summary>
    DeviceId,
}

/// <summary>
/// A page of a fleet's devices: optionally one health state and only ids containing <see cref="IdContains"/>
/// (ordinal, case-insensitive), sorted, from an offset.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceQuery(
    [property: Id(0)] HealthState? State,
    [property: Id(1)] DeviceSortOrder Sort,
    [property: Id(2)] int Offset,
    [property: Id(3)] int Limit,
    [property: Id(4)] string? IdContains = null);

[GenerateSerializer, Immutable]
public sealed record DevicePage(
    [property: Id(0)] int Total,
    [property: Id(1)] int Offset,
    [property: Id(2)] IReadOnlyList<DeviceStatus> Devices);
