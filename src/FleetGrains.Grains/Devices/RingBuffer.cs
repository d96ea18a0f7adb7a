namespace FleetGrains.Grains.Devices;

/// <summary>
/// The last <see cref="Capacity"/> samples of a device, each <see cref="Features"/> float32 values,
/// in one flat array (no per-sample allocation). Age 0 is the newest sample. Stored by
/// <see cref="RingBufferCodec"/>, which writes the arrays as raw blocks.
/// </summary>
public sealed class RingBuffer
{
    private readonly int _capacity;
    private readonly int _features;
    private readonly float[] _values;
    private readonly long[] _timestamps;
    private int _next;
    private int _count;

    public RingBuffer(int capacity, int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _capacity = capacity;
        _features = features;
        _values = new float[capacity * features];
        _timestamps = new long[capacity];
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
        _timestamps = timestamps;
        _next = next;
        _count = count;
    }

    public int Capacity => _capacity;

    public int Features => _features;

    public int Count => _count;

    /// <summary>The slots as they lie, for storage; see the internal constructor.</summary>
    internal ReadOnlySpan<float> Slots => _values;

    internal ReadOnlySpan<long> SlotTimestamps => _timestamps;

    internal int Next => _next;

    public void Append(long timestamp, ReadOnlySpan<float> values)
    {
        if (values.Length != _features)
        {
            throw new ArgumentException($"Expected {_features} values, got {values.Length}.", nameof(values));
        }

        values.CopyTo(_values.AsSpan(_next * _features, _features));
        _timestamps[_next] = timestamp;
        _next = (_next + 1) % _capacity;
        if (_count < _capacity)
        {
            _count++;
        }
    }

    /// <summary>The sample <paramref name="age"/> steps back; 0 is the newest.</summary>
    public ReadOnlySpan<float> Sample(int age) => _values.AsSpan(SlotOf(age) * _features, _features);

    public long Timestamp(int age) => _timestamps[SlotOf(age)];

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

    private int SlotOf(int age)
    {
        if ((uint)age >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(age), age, $"The window holds {_count} samples.");
        }

        return (_next - 1 - age + _capacity) % _capacity;
    }
}
