using System.Buffers;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// How a device's window is stored. Orleans' generated code writes a <c>float[]</c> field element by element,
/// a field header per value (a 32 × 38 window took 6.2 KB and a tenth of the silo's CPU under ingest); this
/// codec writes the values and timestamps as two raw little-endian blocks instead.
/// </summary>
/// <remarks>
/// Fields: 0 capacity, 1 features, 4 next slot, 5 count, 6 values (float32 block), 7 timestamps (int64 block).
/// Fields 2 and 3 are the element-wise arrays the generated codec wrote before: they are still read, so
/// state stored before this codec loads unchanged, and is written in the new form at its next write.
/// </remarks>
[RegisterSerializer]
public sealed class RingBufferCodec(ICodecProvider codecs) : IFieldCodec<RingBuffer>
{
    private readonly IFieldCodec<float[]> _legacyValues = codecs.GetCodec<float[]>();
    private readonly IFieldCodec<long[]> _legacyTimestamps = codecs.GetCodec<long[]>();

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, RingBuffer? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(value); // a null window was written as a reference above
        RequireLittleEndian();
        writer.WriteStartObject(fieldIdDelta, expectedType, typeof(RingBuffer));
        Int32Codec.WriteField(ref writer, 0, value.Capacity);
        Int32Codec.WriteField(ref writer, 1, value.Features);
        Int32Codec.WriteField(ref writer, 3, value.Next);
        Int32Codec.WriteField(ref writer, 1, value.Count);
        WriteBlock(ref writer, 1, MemoryMarshal.AsBytes(value.Slots));
        var timestamps = ArrayPool<long>.Shared.Rent(value.Capacity);
        try
        {
            value.CopySlotTimestamps(timestamps);
            WriteBlock(ref writer, 1, MemoryMarshal.AsBytes(timestamps.AsSpan(0, value.Capacity)));
        }
        finally
        {
            ArrayPool<long>.Shared.Return(timestamps);
        }

        writer.WriteEndObject();
    }

    public RingBuffer? ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.IsReference)
        {
            return ReferenceCodec.ReadReference<RingBuffer, TInput>(ref reader, field);
        }

        field.EnsureWireTypeTagDelimited();
        RequireLittleEndian();
        var placeholder = ReferenceCodec.CreateRecordPlaceholder(reader.Session);
        int capacity = 0, features = 0, next = 0, count = 0;
        float[]? values = null;
        long[]? timestamps = null;
        uint id = 0;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.IsEndBaseOrEndObject)
            {
                break;
            }

            id += header.FieldIdDelta;
            switch (id)
            {
                case 0: capacity = Int32Codec.ReadValue(ref reader, header); break;
                case 1: features = Int32Codec.ReadValue(ref reader, header); break;
                case 2: values = _legacyValues.ReadValue(ref reader, header); break;
                case 3: timestamps = _legacyTimestamps.ReadValue(ref reader, header); break;
                case 4: next = Int32Codec.ReadValue(ref reader, header); break;
                case 5: count = Int32Codec.ReadValue(ref reader, header); break;
                case 6: values = ReadBlock<float, TInput>(ref reader, header); break;
                case 7: timestamps = ReadBlock<long, TInput>(ref reader, header); break;
                default: reader.ConsumeUnknownField(header); break;
            }
        }

        if (values is null || timestamps is null)
        {
            throw new InvalidDataException($"A stored device window lacks its {(values is null ? "values" : "timestamps")}.");
        }

        RingBuffer result;
        try
        {
            result = new RingBuffer(capacity, features, values, timestamps, next, count);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"A stored device window is inconsistent: {ex.Message}", ex);
        }

        ReferenceCodec.RecordObject(reader.Session, result, placeholder);
        return result;
    }

    private static void WriteBlock<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, ReadOnlySpan<byte> bytes)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        ReferenceCodec.MarkValueField(writer.Session);
        writer.WriteFieldHeader(fieldIdDelta, typeof(byte[]), typeof(byte[]), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    private static T[] ReadBlock<T, TInput>(ref Reader<TInput> reader, Field header)
        where T : unmanaged
    {
        ReferenceCodec.MarkValueField(reader.Session);
        if (header.WireType != WireType.LengthPrefixed)
        {
            throw new InvalidDataException($"A stored device window has a {header.WireType} field where a block of {typeof(T).Name} belongs.");
        }

        var length = reader.ReadVarUInt32();
        var size = (uint)Marshal.SizeOf<T>();
        if (length % size != 0 || length > int.MaxValue)
        {
            throw new InvalidDataException($"A stored block of {typeof(T).Name} values is {length} bytes long, not a whole number of values.");
        }

        var result = new T[length / size];
        reader.ReadBytes(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    // The blocks are the values' in-memory bytes; every platform .NET runs Orleans on is little-endian.
    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Device windows are stored as little-endian blocks; this machine is big-endian.");
        }
    }
}

/// <summary>Copies a window (its arrays are copied, not shared).</summary>
[RegisterCopier]
public sealed class RingBufferCopier : IDeepCopier<RingBuffer>
{
    public RingBuffer? DeepCopy(RingBuffer? input, CopyContext context)
    {
        if (input is null)
        {
            return null;
        }

        if (context.TryGetCopy<RingBuffer>(input, out var existing))
        {
            return existing;
        }

        var timestamps = new long[input.Capacity];
        input.CopySlotTimestamps(timestamps);
        var copy = new RingBuffer(input.Capacity, input.Features, input.Slots.ToArray(), timestamps, input.Next, input.Count);
        context.RecordCopy(input, copy);
        return copy;
    }
}
