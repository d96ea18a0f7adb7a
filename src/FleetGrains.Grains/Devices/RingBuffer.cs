namespace FleetGrains.Grains.Devices;

/// <summary>
/// The last <see cref="Capacity"/> samples of a device, each <see cref="Features"/> float32 values,
/// in one flat array (no per-sample allocation). Age 0 is the newest sample.
/// </summary>
[GenerateSerializer]
public sealed class RingBuffer
{
    [Id(0)] private readonly int _capacity;
    [Id(1)] private readonly int _features;
    [Id(2)] private readonly float[] _values;
    [Id(3)] private readonly long[] _timestamps;
    [Id(4)] private int _next;
    [Id(5)] private int _count;

    public RingBuffer(int capacity, int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        _capacity = capacity;
        _features = features;
        _values = new float[capacity * features];
        _timestamps = new long[capacity];
    }

    public int Capacity => _capacity;

    public int Features => _features;

    public int Count => _count;

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
