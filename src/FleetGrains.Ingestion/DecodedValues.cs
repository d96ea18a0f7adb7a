using System.Buffers;

namespace FleetGrains.Ingestion;

/// <summary>
/// Where decoded events keep their values: chunks rented from the shared array pool, handed out slice by slice,
/// so that decoding allocates nothing per event. One store can serve many bodies (a source's read of many messages),
/// so that each body does not take a chunk of its own. Disposing gives the chunks back, after which the slices
/// handed out must not be read.
/// </summary>
public sealed class DecodedValues : IDisposable
{
    // 64 KiB of floats: below the large object heap, and a few hundred events of common widths.
    private const int ChunkFloats = 16 * 1024;

    private readonly List<float[]> _chunks = [];
    private readonly int _firstChunkFloats;
    private float[]? _chunk;
    private int _used;

    /// <param name="maxValues">At most how many values will be stored (a body's size over a value's smallest encoding):
    /// the first chunk is no larger, so that a small body never takes a large chunk.</param>
    public DecodedValues(int maxValues = ChunkFloats) => _firstChunkFloats = Math.Clamp(maxValues, 16, ChunkFloats);

    /// <summary>A copy of <paramref name="values"/> that lives until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<float> Store(ReadOnlySpan<float> values)
    {
        var stored = Reserve(values.Length);
        values.CopyTo(stored.Span);
        return stored;
    }

    /// <summary>Room for <paramref name="count"/> values that lives until <see cref="Dispose"/>, for a decoder to fill.</summary>
    public Memory<float> Reserve(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_chunk is null || _used + count > _chunk.Length)
        {
            _chunk = ArrayPool<float>.Shared.Rent(Math.Max(count, _chunks.Count == 0 ? _firstChunkFloats : ChunkFloats));
            _chunks.Add(_chunk);
            _used = 0;
        }

        var reserved = _chunk.AsMemory(_used, count);
        _used += count;
        return reserved;
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<float>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _chunk = null;
    }
}
