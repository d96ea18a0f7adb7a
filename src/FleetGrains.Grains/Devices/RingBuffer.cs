namespace FleetGrains.Grains.Devices;

/// <summary>
/// The last <see cref="Capacity"/> samples of a device, each <see cref="Features"/> float32 values,
/// in one flat array (no per-sample allocation). Age 0 is the newest sample. Stored by
/// <see cref="RingBufferCodec"/>, which writes the arrays as raw blocks.
/// </summary>
/// <remarks>
/// The timestamps (milliseconds) are kept as 32-bit offsets from one base while the window's samples lie within
/// ±24.8 days of it, half the memory of 64-bit ones (a silo holds a million windows); the base moves with the
/// samples. A window whose samples span more than that (a device sending less often than every ~18 hours with a
/// 32-sample window) keeps 64-bit timestamps instead. Either way every timestamp reads back exactly.
/// </remarks>
public sealed class RingBuffer
{
    private readonly int _capacity;
    private readonly int _features;
    private readonly float[] _values;
    private int[]? _timestampOffsets; // from _timestampBase; null once the window went wide
    private long[]? _wideTimestamps;
    private long _timestampBase;
    private int _next;
    private int _count;

    public RingBuffer(int capacity, int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _capacity = capacity;
        _features = features;
        _values = new float[capacity * features];
        _timestampOffsets = new int[capacity];
    }

    /// <summary>A window as stored: its slots as they lie (<paramref name="next"/> is the slot the next sample takes).</summary>
    internal RingBuffer(int capacity, int features, float[] values, long[] timestamps, int next, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(timestamps);
        if (values.Length != (long)capacity * features || timestamps.Length != capacity)
        {
            throw new ArgumentException($"A window of {capacity} samples × {features} features holds {(long)capacity * features} values and {capacity} timestamps; got {values.Length} and {timestamps.Length}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(next);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(next, capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, capacity);
        _capacity = capacity;
        _features = features;
        _values = values;
        _next = next;
        _count = count;
        _timestampOffsets = new int[capacity];
        _timestampBase = count > 0 ? timestamps[SlotOf(0)] : 0;
        for (var age = 0; age < count; age++)
        {
            var slot = SlotOf(age);
            if (!TryOffset(timestamps[slot], _timestampBase, out _timestampOffsets[slot]))
            {
                (_wideTimestamps, _timestampOffsets) = (timestamps, null);
                return;
            }
        }
    }

    public int Capacity => _capacity;

    public int Features => _features;

    public int Count => _count;

    /// <summary>The slots as they lie, for storage; see the internal constructor.</summary>
    internal ReadOnlySpan<float> Slots => _values;

    /// <summary>The slots' timestamps as they lie, for storage (a slot without a sample holds an arbitrary value).</summary>
    internal void CopySlotTimestamps(Span<long> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, _capacity, nameof(destination));
        for (var slot = 0; slot < _capacity; slot++)
        {
            destination[slot] = TimestampIn(slot);
        }
    }

    internal int Next => _next;

    public void Append(long timestamp, ReadOnlySpan<float> values)
    {
        if (values.Length != _features)
        {
            throw new ArgumentException($"Expected {_features} values, got {values.Length}.", nameof(values));
        }

        values.CopyTo(_values.AsSpan(_next * _features, _features));
        SetTimestamp(_next, timestamp, excluded: _next); // a full window overwrites its oldest sample here
        _next = (_next + 1) % _capacity;
        if (_count < _capacity)
        {
            _count++;
        }
    }

    /// <summary>The sample <paramref name="age"/> steps back; 0 is the newest.</summary>
    public ReadOnlySpan<float> Sample(int age) => _values.AsSpan(SlotOf(age) * _features, _features);

    public long Timestamp(int age) => TimestampIn(SlotOf(age));

    /// <summary>A copy of the window with <paramref name="capacity"/> slots, keeping the newest samples.</summary>
    public RingBuffer Resize(int capacity)
    {
        var resized = new RingBuffer(capacity, _features);
        for (var age = Math.Min(_count, capacity) - 1; age >= 0; age--)
        {
            resized.Append(Timestamp(age), Sample(age));
        }

        return resized;
    }

    private long TimestampIn(int slot) => _wideTimestamps is { } wide ? wide[slot] : _timestampBase + _timestampOffsets![slot];

    private void SetTimestamp(int slot, long timestamp, int excluded)
    {
        if (_wideTimestamps is null && !TryOffset(timestamp, _timestampBase, out _timestampOffsets![slot]))
        {
            // The slot's offset is 0 now, as it is from the base MoveBase makes of this timestamp (or the window goes wide).
            MoveBase(timestamp, excluded);
        }

        if (_wideTimestamps is { } wide)
        {
            wide[slot] = timestamp;
        }
    }

    // The new timestamp becomes the base and the samples held (but the one in slot excluded, about to be overwritten)
    // keep theirs as offsets from it; when one of them is too far from it for an offset, the window goes wide.
    private void MoveBase(long timestamp, int excluded)
    {
        var offsets = _timestampOffsets!;
        for (var age = 0; age < _count; age++)
        {
            var slot = SlotOf(age);
            if (slot != excluded && !TryOffset(TimestampIn(slot), timestamp, out _))
            {
                var wide = new long[_capacity];
                for (var slotAge = 0; slotAge < _count; slotAge++)
                {
                    wide[SlotOf(slotAge)] = TimestampIn(SlotOf(slotAge));
                }

                (_wideTimestamps, _timestampOffsets) = (wide, null);
                return;
            }
        }

        for (var age = 0; age < _count; age++)
        {
            var slot = SlotOf(age);
            if (slot != excluded)
            {
                TryOffset(TimestampIn(slot), timestamp, out offsets[slot]);
            }
        }

        _timestampBase = timestamp;
    }

    // value − from, when it fits in 32 bits; worked out in 128 bits, so that no pair of timestamps wraps around.
    private static bool TryOffset(long value, long from, out int offset)
    {
        var difference = (Int128)value - from;
        var fits = difference >= int.MinValue && difference <= int.MaxValue;
        offset = fits ? (int)difference : 0;
        return fits;
    }

    private int SlotOf(int age)
    {
        if ((uint)age >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(age), age, $"The window holds {_count} samples.");
        }

        return (_next - 1 - age + _capacity) % _capacity;
    }
}
