using System.Buffers;
using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The windows a device captured for its models during one ingest: each row is the newest
/// <see cref="Window"/> samples at the moment a scoring was due, oldest first, with the sample that
/// completed it. The models score them after the ingest, in the same order.
/// </summary>
public sealed class WindowCapture
{
    private readonly ArrayBufferWriter<float> _values = new();
    private readonly List<(long Seq, long Timestamp)> _rows = [];

    public WindowCapture(int window, int features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Window = window;
        Features = features;
    }

    public int Window { get; }

    public int Features { get; }

    public int Rows => _rows.Count;

    /// <summary>Whether <paramref name="window"/> holds enough samples to be captured.</summary>
    public bool Ready(RingBuffer window) => window.Count >= Window;

    public void Add(RingBuffer window, long seq, long timestamp)
    {
        for (var age = Window - 1; age >= 0; age--)
        {
            window.Sample(age).CopyTo(_values.GetSpan(Features));
            _values.Advance(Features);
        }

        _rows.Add((seq, timestamp));
    }

    public (long Seq, long Timestamp) RowAt(int row) => _rows[row];

    /// <summary>Every row cut to its newest <paramref name="modelWindow"/> samples, for a model that reads that many.</summary>
    public ScoringRequest RequestFor(int modelWindow)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(modelWindow, Window);
        var rowWidth = modelWindow * Features;
        var windows = new float[Rows * rowWidth];
        var skip = (Window - modelWindow) * Features;
        var captured = _values.WrittenSpan;
        for (var row = 0; row < Rows; row++)
        {
            captured.Slice((row * Window * Features) + skip, rowWidth).CopyTo(windows.AsSpan(row * rowWidth));
        }

        return new ScoringRequest(windows, Rows);
    }
}
