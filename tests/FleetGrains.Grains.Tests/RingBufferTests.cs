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
}
