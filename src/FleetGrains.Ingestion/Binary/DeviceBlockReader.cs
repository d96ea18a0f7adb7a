using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace FleetGrains.Ingestion.Binary;

/// <summary>
/// Reads one <c>DeviceBlock</c> of <c>telemetry_batch.proto</c> from protobuf's own wire reader into columns rented
/// once per body and reused block after block, instead of the generated message's objects and repeated fields (three
/// arrays per block, grown while reading). Packed and unpacked repeated fields are both read, as the generated code
/// does, and unknown fields skipped. No length in the body sizes anything before the bytes it claims are there.
/// </summary>
internal sealed class DeviceBlockReader : IDisposable
{
    // Tags: field number << 3 | wire type (0 varint, 2 length-delimited, 5 fixed 32-bit).
    private const uint FleetIdTag = (1 << 3) | 2;
    private const uint DeviceIdTag = (2 << 3) | 2;
    private const uint FeaturesTag = 3 << 3;
    private const uint SeqTag = 4 << 3;
    private const uint PackedSeqTag = (4 << 3) | 2;
    private const uint TsTag = 5 << 3;
    private const uint PackedTsTag = (5 << 3) | 2;
    private const uint ValueTag = (6 << 3) | 5;
    private const uint PackedValuesTag = (6 << 3) | 2;

    private readonly CodedInputStream _input;
    private readonly ArraySegment<byte> _body;
    private readonly long _end;
    private Column<long> _seq = new();
    private Column<long> _ts = new();
    private Column<float> _values = new();

    /// <param name="input">The reader of <paramref name="body"/> (its <see cref="CodedInputStream.Position"/> counts from the array's start).</param>
    /// <param name="body">The body's bytes.</param>
    public DeviceBlockReader(CodedInputStream input, ArraySegment<byte> body) => (_input, _body, _end) = (input, body, body.Offset + body.Count);

    public string FleetId { get; private set; } = "";

    public string DeviceId { get; private set; } = "";

    public uint Features { get; private set; }

    public ReadOnlySpan<long> Seq => _seq.Items;

    public ReadOnlySpan<long> Ts => _ts.Items;

    public ReadOnlySpan<float> Values => _values.Items;

    /// <summary>Reads the block whose length the reader is at (after its tag); throws <see cref="InvalidProtocolBufferException"/> or <see cref="TelemetryFormatException"/> when it is cut short or overruns.</summary>
    public void ReadBlock()
    {
        var blockEnd = EndOfLengthDelimited();
        (FleetId, DeviceId, Features) = ("", "", 0);
        _seq.Clear();
        _ts.Clear();
        _values.Clear();
        while (_input.Position < blockEnd)
        {
            var tag = _input.ReadTag();
            switch (tag)
            {
                case 0:
                    throw Truncated();
                case FleetIdTag:
                    FleetId = _input.ReadString();
                    break;
                case DeviceIdTag:
                    DeviceId = _input.ReadString();
                    break;
                case FeaturesTag:
                    Features = _input.ReadUInt32();
                    break;
                case SeqTag:
                    _seq.Add(_input.ReadInt64());
                    break;
                case PackedSeqTag:
                    ReadPackedInt64(ref _seq);
                    break;
                case TsTag:
                    _ts.Add(_input.ReadInt64());
                    break;
                case PackedTsTag:
                    ReadPackedInt64(ref _ts);
                    break;
                case ValueTag:
                    _values.Add(_input.ReadFloat());
                    break;
                case PackedValuesTag:
                    ReadPackedFloats();
                    break;
                default:
                    SkipUnknownField(_input, tag);
                    break;
            }
        }

        if (_input.Position != blockEnd)
        {
            throw new TelemetryFormatException($"a device block's last field runs {_input.Position - blockEnd} byte(s) past the block's length");
        }
    }

    /// <summary>Skips the field whose <paramref name="tag"/> <paramref name="input"/> read last; protobuf's <c>SkipLastField</c> lets the two wire types that do not exist (6, 7) pass.</summary>
    public static void SkipUnknownField(CodedInputStream input, uint tag)
    {
        if (WireFormat.GetTagWireType(tag) > WireFormat.WireType.Fixed32)
        {
            throw new TelemetryFormatException($"field {WireFormat.GetTagFieldNumber(tag)} has wire type {(int)WireFormat.GetTagWireType(tag)}, which protobuf does not have");
        }

        input.SkipLastField();
    }

    public void Dispose()
    {
        _seq.Dispose();
        _ts.Dispose();
        _values.Dispose();
    }

    private void ReadPackedInt64(ref Column<long> column)
    {
        var end = EndOfLengthDelimited();
        while (_input.Position < end)
        {
            column.Add(_input.ReadInt64()); // a varint each: as many as the bytes hold, grown as read
        }
    }

    // The floats are copied from the body as one block: protobuf's skip reads the field's length and checks that the
    // bytes are there, the length's own varint is read back here.
    private void ReadPackedFloats()
    {
        var start = (int)_input.Position;
        _input.SkipLastField();
        var field = _body.Array.AsSpan(start, (int)_input.Position - start);
        var prefix = 1;
        while ((field[prefix - 1] & 0x80) != 0)
        {
            prefix++;
        }

        var bytes = field[prefix..];
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new TelemetryFormatException($"packed values of {bytes.Length} bytes are no whole number of floats");
        }

        var floats = _values.Append(bytes.Length / sizeof(float));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(floats);
        }
        else
        {
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }
        }
    }

    // Reads a length and checks that the body holds it, so that it may size a column.
    private long EndOfLengthDelimited()
    {
        var length = _input.ReadLength();
        if (length < 0 || length > _end - _input.Position)
        {
            throw Truncated();
        }

        return _input.Position + length;
    }

    private TelemetryFormatException Truncated() => new($"the body ({_body.Count} bytes) ends inside a device block");

    /// <summary>A growable column in memory rented from the shared pool.</summary>
    private struct Column<T>() : IDisposable
    {
        private T[] _items = [];
        private int _count;

        public readonly ReadOnlySpan<T> Items => _items.AsSpan(0, _count);

        public void Clear() => _count = 0;

        public void Add(T item)
        {
            if (_count == _items.Length)
            {
                Reserve(1);
            }

            _items[_count++] = item;
        }

        /// <summary>Room for <paramref name="count"/> more items at the end, to be written by the caller.</summary>
        public Span<T> Append(int count)
        {
            Reserve(count);
            _count += count;
            return _items.AsSpan(_count - count, count);
        }

        private void Reserve(int more)
        {
            if (_count + more <= _items.Length)
            {
                return;
            }

            var grown = ArrayPool<T>.Shared.Rent(Math.Max(_count + more, Math.Max(16, 2 * _items.Length)));
            Items.CopyTo(grown);
            Return();
            _items = grown;
        }

        public void Dispose()
        {
            Return();
            _items = [];
            _count = 0;
        }

        private readonly void Return()
        {
            if (_items.Length > 0)
            {
                ArrayPool<T>.Shared.Return(_items);
            }
        }
    }
}
