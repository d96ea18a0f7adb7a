using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FleetGrains.Grains.Tests;

/// <summary>How a device's window is stored (<see cref="RingBufferCodec"/>): raw blocks, and state stored before them still loads.</summary>
public class RingBufferStorageTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly IServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    // A DeviceState written by the generated codec (element-wise arrays) before RingBufferCodec existed: a twin with a
    // window of 3 samples × 2 features after samples seq 0–3 (ts 1000 + seq, values [seq + 0.5, −seq]), so it has wrapped.
    private const string StoredBeforeTheCodec =
        "ICAgAA0BCSEADWEAAGBAYAAAQMBgAADAP2AAAIC/YAAAIEBgAAAAwOAhAAcBWh8ASh8AUh/gAQUBDeAhIAAFgQAAAAAAAABAgAAAAAAAAPi/4CEABYEAAAAAAAAUQIAAAAAAAAAUQOABESEABQERABHg4CHAAQEBwQHBAcEBAQHgIQABAQEBAQEBAQXgAQ0hgAAA+LTISN4IgQAAAAAAAAAA4MEBwQEh4AERAQEBAQEBAQFBF3N0YXRpc3RpY2FswQHBAcEBwQEBAcEBwQEBASEgAAkBHwABAAEAAeDgAQHg4A==";

    [Fact]
    public void StateStoredBeforeTheCodec_LoadsWithItsWindow()
    {
        var state = Serializer.Deserialize<DeviceState>(Convert.FromBase64String(StoredBeforeTheCodec))!;

        var twin = state.Twin!;
        Assert.Equal((3L, 3, 2, 3), (twin.LastSeq, twin.Window.Capacity, twin.Window.Features, twin.Window.Count));
        Assert.Equal([(1001L, 1.5f, -1f), (1002L, 2.5f, -2f), (1003L, 3.5f, -3f)], Samples(twin.Window));
        Assert.Equal(4, twin.ToSnapshot("f", "d", Now, new DeviceOptions()).Counters.Accepted);
        Assert.NotNull(twin.ToSnapshot("f", "d", Now, new DeviceOptions()).LastSeen);
    }

    [Fact]
    public void TheTwinsMoments_RoundTripExactly_InTheirStoredForm()
    {
        var twin = TwinWith(window: 3, features: 2, samples: 4);
        twin.RecordScoringFailure("model host unreachable", Now.AddMinutes(3));
        var before = twin.ToSnapshot("f", "d", Now, new DeviceOptions());

        var stored = Serializer.SerializeToArray(new DeviceState { Twin = twin });
        var read = Serializer.Deserialize<DeviceState>(stored)!.Twin!.ToSnapshot("f", "d", Now, new DeviceOptions());
        var copied = Services.GetRequiredService<DeepCopier<DeviceState>>().Copy(new DeviceState { Twin = twin }).Twin!.ToSnapshot("f", "d", Now, new DeviceOptions());

        Assert.Equal(Now, before.LastSeen);
        Assert.Equal((before.LastSeen, Now.AddMinutes(3)), (read.LastSeen, read.Scoring.LastErrorAt));
        Assert.Equal((before.LastSeen, Now.AddMinutes(3)), (copied.LastSeen, copied.Scoring.LastErrorAt));
    }

    [Fact]
    public void Window_RoundTrips_AndAppendsAfterwardsInPlace()
    {
        var twin = TwinWith(window: 3, features: 2, samples: 4);

        var read = Serializer.Deserialize<DeviceState>(Serializer.SerializeToArray(new DeviceState { Twin = twin }))!.Twin!;
        read.Window.Append(1004, [4.5f, -4f]);

        Assert.Equal([(1002L, 2.5f, -2f), (1003L, 3.5f, -3f), (1004L, 4.5f, -4f)], Samples(read.Window));
        Assert.Equal(Samples(twin.Window), Samples(Serializer.Deserialize<DeviceState>(Serializer.SerializeToArray(new DeviceState { Twin = twin }))!.Twin!.Window));
    }

    [Theory]
    [InlineData(1_000L)] // held as offsets
    [InlineData(40L * 365 * 86_400_000)] // forty years apart: held as 64-bit timestamps
    public void Window_RoundTripsItsTimestampsExactly(long gap)
    {
        var window = new RingBuffer(capacity: 3, features: 2);
        long[] timestamps = [1_000, 1_000 + gap, 2_000, 3_000 + gap];
        for (var i = 0; i < timestamps.Length; i++)
        {
            window.Append(timestamps[i], [i, -i]);
        }

        var read = Serializer.Deserialize<RingBuffer>(Serializer.SerializeToArray(window))!;
        read.Append(5_000, [9f, -9f]);

        Assert.Equal([(2_000L, 2f, -2f), (3_000 + gap, 3f, -3f), (5_000L, 9f, -9f)], Samples(read));
    }

    [Fact]
    public void Window_IsStoredAsRawBlocks()
    {
        // 32 × 38 floats and 32 timestamps are 5,120 bytes as blocks; element by element it was 6,195 bytes for the window alone.
        var twin = TwinWith(window: 32, features: 38, samples: 40);

        var bytes = Serializer.SerializeToArray(new DeviceState { Twin = twin });

        Assert.InRange(bytes.Length, 5_120, 5_120 + 1_200);
    }

    [Fact]
    public void Copy_IsDeep()
    {
        var twin = TwinWith(window: 2, features: 1, samples: 2);
        var copier = Services.GetRequiredService<DeepCopier<RingBuffer>>();

        var copy = copier.Copy(twin.Window);
        twin.Window.Append(5000, [9f]);

        Assert.Equal([0L + 1000, 1001L], [copy.Timestamp(1), copy.Timestamp(0)]);
        Assert.Equal(0.5f, copy.Sample(1)[0]);
    }

    [Theory]
    [InlineData(1, "not a whole number of values")]
    [InlineData(4, "inconsistent")]
    public void DamagedWindow_IsAClearError(int bytesCut, string expected)
    {
        var twin = TwinWith(window: 3, features: 2, samples: 4);
        var damaged = CutValuesBlock(Serializer.SerializeToArray(new DeviceState { Twin = twin }), twin.Window, bytesCut);

        var error = Assert.ThrowsAny<Exception>(() => Serializer.Deserialize<DeviceState>(damaged));
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    private static Serializer Serializer => Services.GetRequiredService<Serializer>();

    private static DeviceTwin TwinWith(int window, int features, int samples)
    {
        var twin = new DeviceTwin(window, features);
        twin.Ingest(
            [.. Enumerable.Range(0, samples).Select(i => new TelemetrySample(i, 1000 + i, [.. Enumerable.Range(0, features).Select(f => f == 0 ? i + 0.5f : -i * f)]))],
            Now, new DeviceOptions(), null, null, []);
        return twin;
    }

    private static List<(long, float, float)> Samples(RingBuffer window) =>
        [.. Enumerable.Range(0, window.Count).Reverse().Select(age => (window.Timestamp(age), window.Sample(age)[0], window.Sample(age)[1]))];

    // The stored state with the window's values block shortened by a few bytes. Its length prefix is Orleans' varint,
    // one byte (length << 1 | 1) for blocks under 128 bytes.
    private static byte[] CutValuesBlock(byte[] stored, RingBuffer window, int cut)
    {
        var block = Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(window.Slots));
        var length = block.Length / 2;
        Assert.InRange(length, 1, 127);
        var hex = Convert.ToHexString(stored);
        var at = hex.IndexOf(((length << 1) | 1).ToString("X2") + block, StringComparison.Ordinal);
        Assert.True(at >= 0);
        return Convert.FromHexString(hex[..at] + (((length - cut) << 1) | 1).ToString("X2") + block[..^(2 * cut)] + hex[(at + 2 + block.Length)..]);
    }
}
