using FleetGrains.Abstractions;

namespace FleetGrains.Abstractions.Tests;

public class FleetKeysTests
{
    [Fact]
    public void DeviceKey_RoundTrips()
    {
        var key = FleetKeys.Device("fleet-a", "pump-0042");

        Assert.Equal("fleet-a/pump-0042", key);
        Assert.Equal(("fleet-a", "pump-0042"), FleetKeys.ParseDevice(key));
    }

    [Theory]
    [InlineData("no-slash")]
    [InlineData("/device")]
    [InlineData("fleet/")]
    public void ParseDevice_Malformed_Throws(string key)
    {
        Assert.Throws<ArgumentException>(() => FleetKeys.ParseDevice(key));
    }

    [Fact]
    public void ShardKey_RoundTrips()
    {
        Assert.Equal(("fleet-a", 7), FleetKeys.ParseShard(FleetKeys.Shard("fleet-a", 7)));
    }

    [Fact]
    public void ShardOf_IsStableAcrossProcesses_AndSpreadsDevices()
    {
        // Fixed values: a change of the hash would move every stored device to another shard.
        Assert.Equal(FleetKeys.ShardOf("pump-0042", 8), FleetKeys.ShardOf("pump-0042", 8));
        Assert.Equal(0, FleetKeys.ShardOf("pump-0042", 8)); // FNV-1a: 2444508976 % 8
        Assert.Equal(3, FleetKeys.ShardOf("pump-0043", 8));
        Assert.Equal(0, FleetKeys.ShardOf("a", 1));

        var counts = Enumerable.Range(0, 8000).GroupBy(i => FleetKeys.ShardOf($"device-{i}", 8)).Select(g => g.Count()).ToList();
        Assert.Equal(8, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void ShardOf_NoShards_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FleetKeys.ShardOf("a", 0));
    }
}
