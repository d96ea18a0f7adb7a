using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace FleetGrains.Ingestion.Binary;

/// <summary>
/// Decodes a binary batch (<c>telemetry_batch.proto</c>) into the events the pipeline validates, numbered block
/// after block, sample after sample. A body protobuf cannot parse fails as a whole (<see cref="TelemetryFormatException"/>);
/// a block whose columns do not fit together (seq, ts and values of different lengths) rejects each of its samples
/// with the reason, and the other blocks count. The blocks are read with protobuf's wire reader straight into the
/// batch's pooled values (<see cref="DeviceBlockReader"/>), not materialised as messages. Memory stays bounded by the
/// body's size: no count in the body is trusted to size anything.
/// </summary>
public static class BinaryBatchDecoder
{
    /// <summary>The content type of a version 1 batch (HTTP Content-Type, MQTT 5 content type).</summary>
    public const string ContentType = "application/vnd.fleetgrains.batch.v1+protobuf";

    private const uint DevicesTag = (1 << 3) | 2; // TelemetryBatch.devices: field 1, length-delimited

    private static readonly byte[] ContentTypeBytes = System.Text.Encoding.ASCII.GetBytes(ContentType);

    public static bool IsBinary(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary><see cref="IsBinary(string?)"/> of a content type as UTF-8 bytes (a Kafka header), without making a string of it.</summary>
    public static bool IsBinary(ReadOnlySpan<byte> contentType)
    {
        var end = contentType.IndexOf((byte)';');
        var mediaType = (end < 0 ? contentType : contentType[..end]).Trim(" \t"u8);
        return System.Text.Ascii.EqualsIgnoreCase(mediaType, ContentTypeBytes);
    }

    /// <summary>The events of <paramref name="body"/> in a batch with a store of its own; throws <see cref="TelemetryFormatException"/> only, when the body is not a batch.</summary>
    public static DecodedBatch Decode(ReadOnlyMemory<byte> body)
    {
        var batch = new DecodedBatch(maxValues: body.Length / sizeof(float));
        try
        {
            DecodeInto(body, batch);
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends the events and rejections of <paramref name="body"/> to <paramref name="batch"/> (a source's read of many
    /// messages decodes them into one batch), indexed within the body; when the body is not a batch it throws
    /// <see cref="TelemetryFormatException"/>, leaving nothing of the body appended.
    /// </summary>
    public static void DecodeInto(ReadOnlyMemory<byte> body, DecodedBatch batch)
    {
        var (events, rejections) = (batch.Events.Count, batch.Rejections.Count);
        var rented = MemoryMarshal.TryGetArray(body, out var bytes) ? null : ArrayPool<byte>.Shared.Rent(body.Length);
        if (rented is not null)
        {
            body.Span.CopyTo(rented);
            bytes = new ArraySegment<byte>(rented, 0, body.Length);
        }

        var input = new CodedInputStream(bytes.Array!, bytes.Offset, bytes.Count);
        using var block = new DeviceBlockReader(input, bytes);
        try
        {
            var (index, blocks) = (0, 0);
            for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
            {
                if (tag != DevicesTag)
                {
                    DeviceBlockReader.SkipUnknownField(input, tag);
                    continue;
                }

                block.ReadBlock();
                index = Append(block, blocks++, index, batch);
            }
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or TelemetryFormatException)
        {
            batch.Truncate(events, rejections);
            throw new TelemetryFormatException($"The binary batch could not be read ({ContentType}, telemetry_batch.proto): {ex.Message}");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // The block's events (or its samples' rejections), numbered from index; returns the next event's number.
    private static int Append(DeviceBlockReader block, int blockNumber, int index, DecodedBatch batch)
    {
        var samples = Math.Max(block.Seq.Length, block.Ts.Length);
        if (samples == 0 && block.Values.Length > 0)
        {
            samples = 1; // values without samples: still one event to say what is wrong with
        }

        if (Problem(block) is { } problem)
        {
            for (var i = 0; i < samples; i++)
            {
                batch.Rejections.Add(new EventRejection(index++, $"device block {blockNumber} ({block.FleetId}/{block.DeviceId}): {problem}"));
            }

            return index;
        }

        var features = (int)block.Features;
        var fleetId = block.FleetId.Length > 0 ? block.FleetId : null;
        var deviceId = block.DeviceId.Length > 0 ? block.DeviceId : null;
        var values = batch.Values.Store(block.Values);
        var seq = block.Seq;
        var ts = block.Ts;
        for (var i = 0; i < samples; i++)
        {
            batch.Events.Add((index++, new TelemetryEvent(fleetId, deviceId, ts[i], seq[i], values.Slice(i * features, features))));
        }

        return index;
    }

    private static string? Problem(DeviceBlockReader block)
    {
        var (seq, ts, values, features) = (block.Seq.Length, block.Ts.Length, block.Values.Length, block.Features);
        if (seq != ts)
        {
            return $"seq has {seq} entries and ts {ts}: every sample needs both";
        }

        if (features == 0)
        {
            return seq > 0 || values > 0 ? "features is 0: every sample needs at least one value" : null;
        }

        // Compared in long: features × samples of a hostile block can exceed int.
        return values == (long)features * seq
            ? null
            : $"values has {values} numbers; seq has {seq} samples of {features} features ({(long)features * seq} numbers)";
    }
}
