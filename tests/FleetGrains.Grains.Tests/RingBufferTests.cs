using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

public class RingBufferTests
{
    [Fact]
    public void Append_BeyondCapacity_KeepsTheNewestSamples()
    {
        var ring = new RingBuffer(capacity: 3, features: 2);
        for (var i = 0; i < 5; i++)
        {
            ring.Append(timestamp: 100 + i, [i, -i]);
        }

        Assert.Equal(3, ring.Count);
        Assert.Equal([4f, -4f], ring.Sample(0).ToArray());
        Assert.Equal([2f, -2f], ring.Sample(2).ToArray());
        Assert.Equal(104, ring.Timestamp(0));
        Assert.Equal(102, ring.Timestamp(2));
    }

    [Fact]
    public void Sample_OlderThanTheWindow_Throws()
    {
        var ring = new RingBuffer(4, 1);
        ring.Append(1, [1f]);

        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Sample(1).ToArray());
    }

    [Fact]
    public void Append_WrongFeatureCount_Throws()
    {
        var ring = new RingBuffer(4, 2);

        Assert.Throws<ArgumentException>(() => ring.Append(1, [1f, 2f, 3f]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void Resize_KeepsTheNewestSamplesInOrder(int newCapacity)
    {
        var ring = new RingBuffer(4, 1);
        for (var i = 0; i < 6; i++)
        {
            ring.Append(i, [i]);
        }

        var resized = ring.Resize(newCapacity);

        Assert.Equal(Math.Min(4, newCapacity), resized.Count);
        for (var age = 0; age < resized.Count; age++)
        {
            Assert.Equal(5 - age, resized.Sample(age)[0]);
        }
    }

    // Held as 32-bit offsets from a base that moves; a window spanning more than ±24.8 days of milliseconds goes wide.
    [Theory]
    [InlineData(1_000L)] // a second apart: offsets throughout
    [InlineData(3_600_000L)] // an hour apart: the base moves every 24.8 days
    [InlineData(10L * 86_400_000)] // ten days apart: a full window spans 40 days and goes wide
    [InlineData(-7L * 86_400_000)] // going back a week each time (a clock being corrected)
    public void Timestamps_ReadBackExactly_HoweverFarApart(long step)
    {
        var ring = new RingBuffer(capacity: 5, features: 1);
        var start = 1_767_225_600_000L; // 2026-01-01 in ms
        for (var i = 0; i < 2_000; i++)
        {
            ring.Append(start + (i * step), [i]);
            for (var age = 0; age < ring.Count; age++)
            {
                Assert.Equal(start + ((i - age) * step), ring.Timestamp(age));
            }
        }
    }

    [Fact]
    public void Timestamps_FarApartAndClose_MixedInOneWindow_ReadBackExactly()
    {
        var ring = new RingBuffer(capacity: 4, features: 1);
        long[] timestamps = [0, long.MaxValue, 5, -1_000, long.MinValue, 7, 8, 9, 10, 11, long.MaxValue, long.MinValue];
        for (var i = 0; i < timestamps.Length; i++)
        {
            ring.Append(timestamps[i], [i]);
            for (var age = 0; age < ring.Count; age++)
            {
                Assert.Equal(timestamps[i - age], ring.Timestamp(age));
            }
        }
    }
}
