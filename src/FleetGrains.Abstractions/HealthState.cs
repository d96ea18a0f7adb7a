namespace FleetGrains.Abstractions;

/// <summary>The health of one device, as operators see it.</summary>
[GenerateSerializer]
public enum HealthState
{
    /// <summary>Not enough data yet: the device is still warming up or calibrating its threshold.</summary>
    Unknown = 0,
    Healthy = 1,
    Warning = 2,
    Critical = 3,
    /// <summary>The device has not reported within its expected interval.</summary>
    Offline = 4,
}
