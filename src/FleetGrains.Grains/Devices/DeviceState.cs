namespace FleetGrains.Grains.Devices;

/// <summary>A device grain's persisted state: nothing until the device accepted its first sample.</summary>
[GenerateSerializer]
public sealed class DeviceState
{
    [Id(0)]
    public DeviceTwin? Twin { get; set; }
}
