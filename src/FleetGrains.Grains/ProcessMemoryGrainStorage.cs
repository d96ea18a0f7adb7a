using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// Grain state kept in this process's memory as serialized copies with ETags: the store of the embedded
/// single silo. Orleans' MemoryGrainStorage keeps state in storage grains so that several silos can share
/// it; that needs grain calls, which fail once a stopping silo has deactivated those grains, so every
/// device writing its state on the way out would log an error. Here a write is a copy into memory.
/// </summary>
/// <remarks>
/// A grain's copy is rewritten in place, in the buffer it already has when the new one fits. The buffers
/// live as long as their grains, so they sit in the oldest generation; a fresh buffer per write would be
/// a young object kept alive by that old store (found through the card table), which collections copy up
/// the generations: a whole fleet's windows every persist interval. (In a heap dump of the silo under load,
/// the store's only references to young objects are its ETag strings.) The state is serialized into the
/// thread's scratch buffer and copied from there (<see cref="StateSerializer.SerializeToScratch"/>): no bytes per write
/// but the copy.
/// </remarks>
public sealed class ProcessMemoryGrainStorage(StateSerializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), StoredState> _store = new();
    private long _writes;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_store.TryGetValue((stateName, grainId), out var stored))
        {
            lock (stored)
            {
                if (stored.ETag is { } etag)
                {
                    grainState.State = serializer.Deserialize<T>(new BinaryData(stored.Bytes));
                    grainState.ETag = etag;
                    grainState.RecordExists = true;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = _store.GetOrAdd((stateName, grainId), _ => new StoredState());
        lock (stored)
        {
            if (stored.ETag != grainState.ETag)
            {
                throw new InconsistentStateException($"The state {stateName} of {grainId} was written by someone else", stored.ETag, grainState.ETag);
            }

            stored.Replace(serializer.SerializeToScratch(grainState.State), Interlocked.Increment(ref _writes).ToString(CultureInfo.InvariantCulture));
            grainState.ETag = stored.ETag;
        }

        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // The entry stays (empty): a write racing the clear must not go into an entry no longer in the store.
        if (_store.TryGetValue((stateName, grainId), out var stored))
        {
            lock (stored)
            {
                stored.Clear();
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>One grain's serialized state; no ETag once cleared. Guarded by locking the instance.</summary>
    private sealed class StoredState
    {
        private byte[] _buffer = [];
        private int _length;

        public string? ETag { get; private set; }

        public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, _length);

        public void Replace(ReadOnlySpan<byte> bytes, string etag)
        {
            // Kept when it fits and is not far too large: states of one grain keep about the same size.
            if (_buffer.Length < bytes.Length || _buffer.Length > 2 * bytes.Length)
            {
                // On the pinned object heap, which only full collections visit and nothing copies: a grain's first
                // write would otherwise be a young array the young collections copy up the generations.
                _buffer = GC.AllocateUninitializedArray<byte>(bytes.Length + (bytes.Length / 8), pinned: true);
            }

            bytes.CopyTo(_buffer);
            _length = bytes.Length;
            ETag = etag;
        }

        public void Clear()
        {
            _buffer = [];
            _length = 0;
            ETag = null;
        }
    }
}
