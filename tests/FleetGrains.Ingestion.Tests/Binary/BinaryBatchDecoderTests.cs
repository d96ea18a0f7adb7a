using FleetGrains.Ingestion.Binary;
using Google.Protobuf;

namespace FleetGrains.Ingestion.Tests.Binary;

public sealed class BinaryBatchDecoderTests
{
    private const long Ts = 1_780_000_000_000;

    public static byte[] Batch(params DeviceBlock[] blocks)
    {
        var batch = new TelemetryBatch();
        batch.Devices.AddRange(blocks);
        return batch.ToByteArray();
    }

    public static DeviceBlock Block(string fleetId, string deviceId, int samples, int features, long firstSeq = 0)
    {
        var block = new DeviceBlock { FleetId = fleetId, DeviceId = deviceId, Features = (uint)features };
        for (var i = 0; i < samples; i++)
        {
            block.Seq.Add(firstSeq + i);
            block.Ts.Add(Ts + i);
            for (var f = 0; f < features; f++)
            {
                block.Values.Add((10 * i) + f + 0.5f);
            }
        }

        return block;
    }

    [Fact]
    public void ABatch_DecodesToItsEvents_BlockAfterBlock_SampleAfterSample()
    {
        var decoded = BinaryBatchDecoder.Decode(Batch(Block("f", "a", 3, 2), Block("f", "b", 2, 3, firstSeq: 7)));

        Assert.Empty(decoded.Rejections);
        Assert.Equal([0, 1, 2, 3, 4], decoded.Events.Select(e => e.Index));
        var (_, first) = decoded.Events[0];
        Assert.Equal(("f", "a", Ts, 0L), (first.FleetId, first.DeviceId, first.Ts, first.Seq));
        Assert.Equal([20.5f, 21.5f], decoded.Events[2].Event.Values!.Value.ToArray());
        Assert.Equal(("b", 8L), (decoded.Events[4].Event.DeviceId, decoded.Events[4].Event.Seq));
        Assert.Equal([10.5f, 11.5f, 12.5f], decoded.Events[4].Event.Values!.Value.ToArray());
    }

    [Fact]
    public void ABlockWhoseColumnsDoNotFit_RejectsEachOfItsSamples_AndTheOtherBlocksCount()
    {
        var broken = Block("f", "broken", 3, 2);
        broken.Values.RemoveAt(5);
        var noTs = Block("f", "no-ts", 2, 1);
        noTs.Ts.Clear();

        var decoded = BinaryBatchDecoder.Decode(Batch(Block("f", "a", 1, 2), broken, noTs, Block("f", "c", 1, 2)));

        Assert.Equal([0, 6], decoded.Events.Select(e => e.Index));
        Assert.Equal([1, 2, 3, 4, 5], decoded.Rejections.Select(r => r.Index));
        Assert.Equal("device block 1 (f/broken): values has 5 numbers; seq has 3 samples of 2 features (6 numbers)", decoded.Rejections[0].Reason);
        Assert.Equal("device block 2 (f/no-ts): seq has 2 entries and ts 0: every sample needs both", decoded.Rejections[3].Reason);
    }

    [Fact]
    public void IdsLeftOut_AreNull_ForTheValidatorOrTheTopicToFill()
    {
        var decoded = BinaryBatchDecoder.Decode(Batch(Block("", "", 1, 1)));

        Assert.Equal((null, null), (decoded.Events[0].Event.FleetId, decoded.Events[0].Event.DeviceId));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { (byte)'[', (byte)'{', (byte)'}', (byte)']' })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A })] // a block said to be 5 bytes long, 1 there
    public void ABodyThatIsNoBatch_FailsAsAWhole_WithAClearReason(byte[] body)
    {
        var failure = Assert.Throws<TelemetryFormatException>(() => BinaryBatchDecoder.Decode(body));

        Assert.StartsWith("The binary batch could not be read (application/vnd.fleetgrains.batch.v1+protobuf", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/vnd.fleetgrains.batch.v1+protobuf", true)]
    [InlineData("Application/VND.fleetgrains.batch.v1+protobuf; charset=binary", true)]
    [InlineData("application/x-ndjson", false)]
    [InlineData(null, false)]
    public void TheContentType_SaysWhetherABodyIsBinary(string? contentType, bool binary)
    {
        Assert.Equal(binary, BinaryBatchDecoder.IsBinary(contentType));
        Assert.Equal(binary, BinaryBatchDecoder.IsBinary(System.Text.Encoding.UTF8.GetBytes(contentType ?? ""))); // as a Kafka header carries it
    }

    [Fact]
    public void RandomTruncatedAndFlippedBodies_FailOnlyAsAWhole_AndAllocateInProportionToTheirSize()
    {
        var valid = Batch(Block("fleet", "d1", 20, 8), Block("fleet", "d2", 20, 8));
        var random = new Random(7);
        var bodies = new List<byte[]>();
        for (var length = 0; length < valid.Length; length++)
        {
            bodies.Add(valid[..length]);
        }

        for (var i = 0; i < 3000; i++)
        {
            var flipped = (byte[])valid.Clone();
            for (var k = 0; k < 1 + (i % 4); k++)
            {
                flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
            }

            bodies.Add(flipped);
            var noise = new byte[random.Next(1, 512)];
            random.NextBytes(noise);
            bodies.Add(noise);
        }

        // Hostile counts: a block claiming 2^32 − 1 features, and huge varint lengths.
        bodies.Add(Batch(new DeviceBlock { FleetId = "f", DeviceId = "d", Features = uint.MaxValue, Seq = { 1 }, Ts = { Ts }, Values = { 1f } }));
        bodies.Add([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);

        var failures = new List<string>();
        foreach (var body in bodies)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var decoded = BinaryBatchDecoder.Decode(body);
                Assert.All(decoded.Events, e => Assert.True(e.Event.Values!.Value.Length <= body.Length / 4));
            }
            catch (TelemetryFormatException)
            {
                // The body as a whole is no batch: the only way out allowed.
            }
            catch (Exception ex)
            {
                failures.Add($"{Convert.ToHexString(body[..Math.Min(body.Length, 24)])}…: {ex.GetType().Name}: {ex.Message}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > 16_384 + (64L * body.Length))
            {
                failures.Add($"{Convert.ToHexString(body[..Math.Min(body.Length, 24)])}… ({body.Length} bytes) allocated {allocated} bytes");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {bodies.Count} bodies: {string.Join("; ", failures.Take(5))}");
    }
}
