namespace FleetGrains.Ingestion.Tests;

public class DeviceGroupsTests
{
    [Fact]
    public void ValidEvents_AreGroupedByDeviceAndWidth_InTheOrderOfEachGroupsFirstEvent_WithPositionsInBatchOrder()
    {
        using var groups = new DeviceGroups(positions: 7);
        groups.Add(0, "f", "b", 2);
        groups.Add(1, "f", "a", 2);
        // position 2: an invalid event, never added
        groups.Add(3, "f", "b", 3); // a second width of b
        groups.Add(4, "f", "b", 2);
        groups.Add(5, "g", "a", 2); // the same device id in another fleet is another device
        groups.Add(6, "f", "b", 3);
        groups.Seal();

        Assert.Equal(3, groups.Devices);
        Assert.Equal(4, groups.Groups);
        Assert.Equal(6, groups.Samples);
        Assert.Equal(14, groups.Values);
        Assert.Equal([("f", "b"), ("f", "a"), ("g", "a")], Enumerable.Range(0, groups.Devices).Select(groups.DeviceIds));

        var b = groups.FirstGroupOf(0);
        Assert.Equal(2, groups.FeaturesOf(b));
        Assert.Equal([0, 4], groups.PositionsOf(b).ToArray());
        var bWide = groups.NextOf(b);
        Assert.Equal(3, groups.FeaturesOf(bWide));
        Assert.Equal([3, 6], groups.PositionsOf(bWide).ToArray());
        Assert.Equal(-1, groups.NextOf(bWide));
        Assert.Equal([1], groups.PositionsOf(groups.FirstGroupOf(1)).ToArray());
        Assert.Equal([5], groups.PositionsOf(groups.FirstGroupOf(2)).ToArray());
        Assert.Equal(-1, groups.NextOf(groups.FirstGroupOf(1)));
    }

    [Fact]
    public void ManyDevices_GrowTheRentedArrays_WithoutLosingAGroup()
    {
        const int Devices = 3_000;
        using var groups = new DeviceGroups(positions: 2 * Devices);
        for (var position = 0; position < 2 * Devices; position++)
        {
            groups.Add(position, "f", $"d{position % Devices}", 1 + (position / Devices)); // each device: width 1, then width 2
        }

        groups.Seal();

        Assert.Equal(Devices, groups.Devices);
        Assert.Equal(2 * Devices, groups.Groups);
        for (var device = 0; device < Devices; device++)
        {
            Assert.Equal(("f", $"d{device}"), groups.DeviceIds(device));
            var first = groups.FirstGroupOf(device);
            Assert.Equal([device], groups.PositionsOf(first).ToArray());
            Assert.Equal([Devices + device], groups.PositionsOf(groups.NextOf(first)).ToArray());
        }
    }

    [Fact]
    public void AfterSealing_NoEventCanBeAdded_AndABatchOnTheSameThreadStartsEmpty()
    {
        using (var first = new DeviceGroups(positions: 1))
        {
            first.Add(0, "f", "a", 1);
            first.Seal();
            Assert.Throws<InvalidOperationException>(() => first.Add(0, "f", "b", 1));
        }

        using var second = new DeviceGroups(positions: 1);
        second.Add(0, "f", "a", 1);
        second.Seal();

        Assert.Equal(1, second.Devices);
        Assert.Equal([0], second.PositionsOf(second.FirstGroupOf(0)).ToArray());
    }

    [Fact]
    public void GroupsDisposedBeforeSealing_OrTwice_LeaveTheNextBatchCorrect()
    {
        var abandoned = new DeviceGroups(positions: 2);
        abandoned.Add(0, "f", "a", 1);
        abandoned.Dispose();
        abandoned.Dispose();

        using var next = new DeviceGroups(positions: 2);
        next.Add(0, "f", "b", 1);
        next.Add(1, "f", "a", 1);
        next.Seal();

        Assert.Equal([("f", "b"), ("f", "a")], Enumerable.Range(0, next.Devices).Select(next.DeviceIds));
    }

    [Fact]
    public void AnEmptyBatch_HasNoGroups()
    {
        using var groups = new DeviceGroups(positions: 0);
        groups.Seal();

        Assert.Equal((0, 0, 0, 0L), (groups.Devices, groups.Groups, groups.Samples, groups.Values));
    }

    [Fact]
    public void GroupingABatch_AllocatesNothing_OnceThePoolsAreWarm()
    {
        // 5,000 events of 500 devices, ten each, interleaved as gateways send them; the device ids made beforehand.
        var ids = Enumerable.Range(0, 500).Select(d => $"device-{d}").ToArray();
        Group(ids); // rents and keeps what the pools and the thread's dictionary need

        // The shared array pool keeps returned arrays per core: when the thread moved to another core since the
        // warm-up, that core's stacks fill on the first grouping there. The fewest bytes of a few groupings is what
        // grouping itself costs (a per-event object would show in every one of them).
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(500, Group(ids));
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated < 1_024, $"grouping 5,000 events allocated {allocated} bytes");
    }

    private static int Group(string[] ids)
    {
        using var groups = new DeviceGroups(positions: 10 * ids.Length);
        for (var position = 0; position < 10 * ids.Length; position++)
        {
            groups.Add(position, "fleet", ids[position % ids.Length], 38);
        }

        groups.Seal();
        return groups.Devices;
    }
}
