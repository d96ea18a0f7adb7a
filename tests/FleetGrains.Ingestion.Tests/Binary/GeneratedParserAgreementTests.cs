using FleetGrains.Ingestion.Binary;
using Google.Protobuf;

namespace FleetGrains.Ingestion.Tests.Binary;

/// <summary>
/// The decoder reads the wire itself (<see cref="DeviceBlockReader"/>); protobuf's generated parser of the same
/// <c>.proto</c> is the oracle: every body it reads must decode to the events and rejections its message implies, in
/// every wire form protobuf allows (packed or not, fields in any order, unknown fields), and every body it refuses must
/// fail as a whole.
/// </summary>
public sealed class GeneratedParserAgreementTests
{
    [Fact]
    public void UnpackedRepeatedFields_UnknownFields_AndFieldsInAnyOrder_DecodeAsTheGeneratedParserReadsThem()
    {
        var body = HandWrittenBody();

        var decoded = Describe(BinaryBatchDecoder.Decode(body));

        Assert.Equal(Expected(TelemetryBatch.Parser.ParseFrom(body)), decoded);
        Assert.Equal(
            ["0 f/a ts=1000 seq=5 [1.5,2.5]", "1 f/a ts=1001 seq=6 [3.5,4.5]", "rejected 2: device block 1 (f/b): seq has 1 entries and ts 0: every sample needs both"],
            decoded);
    }

    [Fact]
    public void ABodyInsideALargerBuffer_DecodesFromItsOwnBytes()
    {
        var body = HandWrittenBody();
        var buffer = new byte[body.Length + 20];
        Array.Fill(buffer, (byte)0xFF);
        body.CopyTo(buffer, 7);

        using var decoded = BinaryBatchDecoder.Decode(buffer.AsMemory(7, body.Length));

        Assert.Equal(Expected(TelemetryBatch.Parser.ParseFrom(body)), Describe(decoded));
    }

    [Fact]
    public void MutatedBodies_DecodeExactlyWhenTheGeneratedParserReadsThem()
    {
        var random = new Random(11);
        var originals = new[]
        {
            BinaryBatchDecoderTests.Batch(BinaryBatchDecoderTests.Block("fleet", "d1", 6, 3), BinaryBatchDecoderTests.Block("fleet", "d2", 4, 5, firstSeq: 9)),
            HandWrittenBody(),
        };
        var disagreements = new List<string>();
        var readByBoth = 0;
        for (var i = 0; i < 4000; i++)
        {
            var body = (byte[])originals[i % originals.Length].Clone();
            if (i % 3 == 0)
            {
                body = body[..random.Next(body.Length)];
            }
            else
            {
                for (var k = 0; k < 1 + (i % 3); k++)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }
            }

            List<string>? expected;
            try
            {
                expected = Expected(TelemetryBatch.Parser.ParseFrom(body));
            }
            catch (InvalidProtocolBufferException)
            {
                expected = null;
            }

            List<string>? actual;
            try
            {
                using var batch = BinaryBatchDecoder.Decode(body);
                actual = Describe(batch);
            }
            catch (TelemetryFormatException)
            {
                actual = null;
            }

            readByBoth += expected is not null && actual is not null ? 1 : 0;
            if (expected is null != actual is null || (expected is not null && !expected.SequenceEqual(actual!)))
            {
                disagreements.Add($"{Convert.ToHexString(body)}: generated {(expected is null ? "refused" : string.Join(" | ", expected))}; ours {(actual is null ? "refused" : string.Join(" | ", actual))}");
            }
        }

        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreements: {string.Join("\n", disagreements.Take(5))}");
        Assert.True(readByBoth > 500, $"only {readByBoth} mutated bodies were readable: the comparison says little");
    }

    // Block 0 with its fields out of order, seq and ts unpacked, values in two packed runs and one unpacked value, and
    // unknown fields in the block and at the top; block 1 with a seq and no ts.
    private static byte[] HandWrittenBody()
    {
        var block0 = Encode(o =>
        {
            o.WriteTag(6, WireFormat.WireType.LengthDelimited);
            o.WriteLength(8);
            o.WriteFloat(1.5f);
            o.WriteFloat(2.5f);
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteInt64(5);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("a");
            o.WriteTag(15, WireFormat.WireType.Varint);
            o.WriteInt64(99);
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteInt64(6);
            o.WriteTag(5, WireFormat.WireType.Varint);
            o.WriteInt64(1000);
            o.WriteTag(5, WireFormat.WireType.Varint);
            o.WriteInt64(1001);
            o.WriteTag(6, WireFormat.WireType.Fixed32);
            o.WriteFloat(3.5f);
            o.WriteTag(6, WireFormat.WireType.LengthDelimited);
            o.WriteLength(4);
            o.WriteFloat(4.5f);
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("f");
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteUInt32(2);
        });
        var block1 = new DeviceBlock { FleetId = "f", DeviceId = "b", Features = 1, Seq = { 7 }, Values = { 1f } }.ToByteArray();
        return Encode(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(block0));
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteString("unknown at the top");
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(block1));
        });
    }

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    private static List<string> Describe(DecodedBatch batch)
    {
        var lines = batch.Events.Select(e => (e.Index, Line: $"{e.Index} {e.Event.FleetId}/{e.Event.DeviceId} ts={e.Event.Ts} seq={e.Event.Seq} [{string.Join(',', e.Event.Values!.Value.ToArray())}]"))
            .Concat(batch.Rejections.Select(r => (r.Index, Line: $"rejected {r.Index}: {r.Reason}")));
        return [.. lines.OrderBy(l => l.Index).Select(l => l.Line)];
    }

    // What the format's rules make of a message the generated parser read (the telemetry_batch.proto comments).
    private static List<string> Expected(TelemetryBatch message)
    {
        var lines = new List<string>();
        var index = 0;
        for (var b = 0; b < message.Devices.Count; b++)
        {
            var block = message.Devices[b];
            var samples = Math.Max(block.Seq.Count, block.Ts.Count);
            samples = samples == 0 && block.Values.Count > 0 ? 1 : samples;
            string? problem = block.Seq.Count != block.Ts.Count ? $"seq has {block.Seq.Count} entries and ts {block.Ts.Count}: every sample needs both"
                : block.Features == 0 ? (block.Seq.Count > 0 || block.Values.Count > 0 ? "features is 0: every sample needs at least one value" : null)
                : block.Values.Count != (long)block.Features * block.Seq.Count ? $"values has {block.Values.Count} numbers; seq has {block.Seq.Count} samples of {block.Features} features ({(long)block.Features * block.Seq.Count} numbers)"
                : null;
            for (var i = 0; i < samples; i++, index++)
            {
                lines.Add(problem is not null
                    ? $"rejected {index}: device block {b} ({block.FleetId}/{block.DeviceId}): {problem}"
                    : $"{index} {NullIfEmpty(block.FleetId)}/{NullIfEmpty(block.DeviceId)} ts={block.Ts[i]} seq={block.Seq[i]} [{string.Join(',', block.Values.Skip(i * (int)block.Features).Take((int)block.Features))}]");
            }
        }

        return lines;
    }

    private static string? NullIfEmpty(string id) => id.Length > 0 ? id : null;
}
