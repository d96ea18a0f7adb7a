using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>The figures of a <see cref="DeviceStatus"/> as a value: what a device compares with its last report on every ingest.</summary>
public readonly record struct StatusFigures(HealthState Health, float? Score, float? Threshold, DateTimeOffset LastSeen, DateTimeOffset OfflineAfter)
{
    /// <summary>Score relative to the threshold, as <see cref="DeviceStatus.Severity"/>.</summary>
    public float? Severity => DeviceStatus.SeverityOf(Score, Threshold);

    public DeviceStatus ToStatus(string deviceId) => new(deviceId, Health, Score, Threshold, LastSeen, OfflineAfter);
}
