using Google.Protobuf;

namespace FleetGrains.Ingestion.Binary;

/// <summary>
/// Decodes a binary batch (<c>telemetry_batch.proto</c>) into the events the pipeline validates, numbered block
/// after block, sample after sample. A body protobuf cannot parse fails as a whole (<see cref="TelemetryFormatException"/>);
/// a block whose columns do not fit together (seq, ts and values of different lengths) rejects each of its samples
/// with the reason, and the other blocks count. Memory stays bounded by the body's size: no count in the body is
/// trusted to size anything.
/// </summary>
public static class BinaryBatchDecoder
{
    /// <summary>The content type of a version 1 batch (HTTP Content-Type, MQTT 5 content type).</summary>
    public const string ContentType = "application/vnd.fleetgrains.batch.v1+protobuf";

    public static bool IsBinary(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The events of <paramref name="body"/> in a batch with a store of its own; throws <see cref="TelemetryFormatException"/> only, when the body is not a batch.</summary>
    public static DecodedBatch Decode(ReadOnlySpan<byte> body)
    {
        var batch = new DecodedBatch(maxValues: body.Length / sizeof(float));
        DecodeInto(body, batch);
        return batch;
    }

    /// <summary>
    /// Appends the events and rejections of <paramref name="body"/> to <paramref name="batch"/> (a source's read of many
    /// messages decodes them into one batch), indexed within the body; when the body is not a batch it throws
    /// <see cref="TelemetryFormatException"/> before appending anything.
    /// </summary>
    public static void DecodeInto(ReadOnlySpan<byte> body, DecodedBatch batch)
    {
        TelemetryBatch message;
        try
        {
            message = TelemetryBatch.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new TelemetryFormatException($"The binary batch could not be read ({ContentType}, telemetry_batch.proto): {ex.Message}");
        }

        batch.Events.EnsureCapacity(batch.Events.Count + message.Devices.Sum(block => Math.Max(block.Seq.Count, block.Ts.Count)));
        var index = 0;
        for (var b = 0; b < message.Devices.Count; b++)
        {
            var block = message.Devices[b];
            var samples = Math.Max(block.Seq.Count, block.Ts.Count);
            if (samples == 0 && block.Values.Count > 0)
            {
                samples = 1; // values without samples: still one event to say what is wrong with
            }

            if (Problem(block) is { } problem)
            {
                for (var i = 0; i < samples; i++)
                {
                    batch.Rejections.Add(new EventRejection(index++, $"device block {b} ({block.FleetId}/{block.DeviceId}): {problem}"));
                }

                continue;
            }

            var features = (int)block.Features;
            var fleetId = block.FleetId.Length > 0 ? block.FleetId : null;
            var deviceId = block.DeviceId.Length > 0 ? block.DeviceId : null;
            var blockValues = batch.Values.Reserve(block.Values.Count);
            var span = blockValues.Span;
            for (var v = 0; v < span.Length; v++)
            {
                span[v] = block.Values[v];
            }

            for (var i = 0; i < samples; i++)
            {
                batch.Events.Add((index++, new TelemetryEvent(fleetId, deviceId, block.Ts[i], block.Seq[i], blockValues.Slice(i * features, features))));
            }
        }
    }

    private static string? Problem(DeviceBlock block)
    {
        if (block.Seq.Count != block.Ts.Count)
        {
            return $"seq has {block.Seq.Count} entries and ts {block.Ts.Count}: every sample needs both";
        }

        if (block.Features == 0)
        {
            return block.Seq.Count > 0 || block.Values.Count > 0 ? "features is 0: every sample needs at least one value" : null;
        }

        // Compared in long: features × samples of a hostile block can exceed int.
        return block.Values.Count == (long)block.Features * block.Seq.Count
            ? null
            : $"values has {block.Values.Count} numbers; seq has {block.Seq.Count} samples of {block.Features} features ({(long)block.Features * block.Seq.Count} numbers)";
    }
}
