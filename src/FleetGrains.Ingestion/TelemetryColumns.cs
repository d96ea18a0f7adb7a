using System.Buffers;
using FleetGrains.Abstractions;

namespace FleetGrains.Ingestion;

/// <summary>
/// The columns (sequence numbers, timestamps, values) of one ingest's valid events, rented from the shared
/// array pool and cut into one <see cref="TelemetryBlock"/> per device, so that the device calls carry no
/// object per event. <see cref="Dispose"/> returns the arrays; <see cref="Abandon"/> leaves them to the
/// garbage collector instead, for when a device call failed and the device might still read its block.
/// </summary>
public sealed class TelemetryColumns : IDisposable
{
    private long[]? _seq;
    private long[]? _timestamps;
    private float[]? _values;
    private int _samples;
    private int _valueCount;

    public TelemetryColumns(int samples, long values)
    {
        _seq = ArrayPool<long>.Shared.Rent(samples);
        _timestamps = ArrayPool<long>.Shared.Rent(samples);
        _values = ArrayPool<float>.Shared.Rent(checked((int)values));
    }

    /// <summary>
    /// The block of the events at <paramref name="positions"/> of <paramref name="events"/> (valid events of
    /// one device, each with <paramref name="features"/> values), copied into the next rows of the columns.
    /// </summary>
    public TelemetryBlock Append(int features, ReadOnlySpan<int> positions, List<(int Index, TelemetryEvent Event)> events)
    {
        ObjectDisposedException.ThrowIf(_seq is null, this);
        var first = _samples;
        var firstValue = _valueCount;
        foreach (var position in positions)
        {
            var e = events[position].Event;
            _seq[_samples] = e.Seq!.Value;
            _timestamps![_samples] = e.Ts!.Value;
            e.Values!.Value.Span.CopyTo(_values.AsSpan(_valueCount, features));
            _samples++;
            _valueCount += features;
        }

        return new TelemetryBlock(
            features,
            _seq.AsMemory(first, positions.Length),
            _timestamps.AsMemory(first, positions.Length),
            _values.AsMemory(firstValue, positions.Length * features));
    }

    /// <summary>Forgets the arrays without returning them: a device may still read them.</summary>
    public void Abandon() => (_seq, _timestamps, _values) = (null, null, null);

    public void Dispose()
    {
        if (_seq is not null)
        {
            ArrayPool<long>.Shared.Return(_seq);
            ArrayPool<long>.Shared.Return(_timestamps!);
            ArrayPool<float>.Shared.Return(_values!);
            Abandon();
        }
    }
}
