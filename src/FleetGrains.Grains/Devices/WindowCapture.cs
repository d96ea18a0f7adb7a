using System.Buffers;
using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The windows a device captured for its models during one ingest: each row is the newest
/// <see cref="Window"/> samples at the moment a scoring was due, oldest first, with the sample that
/// completed it. The models score them after the ingest, in the same order.
/// </summary>
/// <remarks>
/// Rows (and their sequence numbers and timestamps) are written into memory rented from the shared array pool, sized
/// for <c>expectedRows</c> (an ingest captures at most one row per sample, so the grain passes its sample count). When the model reads the whole window,
/// <see cref="RequestFor"/> hands that memory over instead of copying it, and the capture is sealed. Disposing gives
/// the memory back once the requests were answered; <see cref="Abandon"/> leaves it to the garbage collector instead,
/// when a request was given up on and a model host might still read it (as <c>TelemetryColumns</c> does for blocks).
/// </remarks>
public sealed class WindowCapture : IDisposable
{
    private readonly int _expectedRows;
    private (long Seq, long Timestamp)[] _rows = [];
    private int _rowCount;
    private float[] _values = [];
    private List<float[]>? _cuts;
    private int _written;
    private bool _handedOver;

    public WindowCapture(int window, int features, int expectedRows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRows, 1);
        Window = window;
        Features = features;
        _expectedRows = expectedRows;
    }

    public int Window { get; }

    public int Features { get; }

    public int Rows => _rowCount;

    /// <summary>Whether <paramref name="window"/> holds enough samples to be captured.</summary>
    public bool Ready(RingBuffer window) => window.Count >= Window;

    public void Add(RingBuffer window, long seq, long timestamp)
    {
        if (_handedOver)
        {
            throw new InvalidOperationException("The captured rows were handed over to a scoring request; no rows can be added after that.");
        }

        var rowWidth = Window * Features;
        if (_written + rowWidth > _values.Length)
        {
            var rows = Math.Max(Rows + 1, _values.Length == 0 ? _expectedRows : 2 * Rows);
            var grown = ArrayPool<float>.Shared.Rent(rows * rowWidth);
            _values.AsSpan(0, _written).CopyTo(grown);
            Return(_values);
            _values = grown;
        }

        for (var age = Window - 1; age >= 0; age--)
        {
            window.Sample(age).CopyTo(_values.AsSpan(_written, Features));
            _written += Features;
        }

        if (_rowCount == _rows.Length)
        {
            var grown = ArrayPool<(long, long)>.Shared.Rent(Math.Max(_expectedRows, 2 * _rowCount));
            _rows.AsSpan(0, _rowCount).CopyTo(grown);
            ReturnRows();
            _rows = grown;
        }

        _rows[_rowCount++] = (seq, timestamp);
    }

    public (long Seq, long Timestamp) RowAt(int row) => row < _rowCount ? _rows[row] : throw new ArgumentOutOfRangeException(nameof(row), row, $"The capture has {_rowCount} rows.");

    /// <summary>Every row cut to its newest <paramref name="modelWindow"/> samples, for a model that reads that many; valid until <see cref="Dispose"/>.</summary>
    public ScoringRequest RequestFor(int modelWindow)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(modelWindow, Window);
        _handedOver = true;
        if (modelWindow == Window)
        {
            return new ScoringRequest(_values.AsMemory(0, _written), Rows);
        }

        var rowWidth = modelWindow * Features;
        var windows = ArrayPool<float>.Shared.Rent(Rows * rowWidth);
        (_cuts ??= []).Add(windows);
        var skip = (Window - modelWindow) * Features;
        var captured = _values.AsSpan(0, _written);
        for (var row = 0; row < Rows; row++)
        {
            captured.Slice((row * Window * Features) + skip, rowWidth).CopyTo(windows.AsSpan(row * rowWidth));
        }

        return new ScoringRequest(windows.AsMemory(0, Rows * rowWidth), Rows);
    }

    public void Dispose()
    {
        Return(_values);
        foreach (var cut in _cuts ?? [])
        {
            Return(cut);
        }

        ReturnRows();
        Abandon();
    }

    /// <summary>Forgets the memory without returning it: a model host may still read it.</summary>
    public void Abandon()
    {
        _values = [];
        _written = 0;
        _cuts = null;
        _rows = [];
        _rowCount = 0;
    }

    private static void Return(float[] values)
    {
        if (values.Length > 0)
        {
            ArrayPool<float>.Shared.Return(values);
        }
    }

    private void ReturnRows()
    {
        if (_rows.Length > 0)
        {
            ArrayPool<(long, long)>.Shared.Return(_rows);
        }
    }
}
