using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Fleets;

/// <summary>The latest status each device of a shard reported, by device id.</summary>
[GenerateSerializer]
public sealed class ShardState
{
    [Id(0)]
    public Dictionary<string, DeviceStatus> Devices { get; set; } = new(StringComparer.Ordinal);
}
