using System.Collections.Concurrent;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// Grain state kept in this process's memory as serialized copies with ETags: the store of the embedded
/// single silo. Orleans' MemoryGrainStorage keeps state in storage grains so that several silos can share
/// it; that needs grain calls, which fail once a stopping silo has deactivated those grains, so every
/// device writing its state on the way out would log an error. Here a write is a dictionary update.
/// </summary>
public sealed class ProcessMemoryGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (BinaryData Data, string ETag)> _store = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_store.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var data = serializer.Serialize(grainState.State);
        var written = grainState.ETag is { } expected
            ? _store.TryGetValue(key, out var stored) && stored.ETag == expected && _store.TryUpdate(key, (data, etag), stored)
            : _store.TryAdd(key, (data, etag));
        if (!written)
        {
            var current = _store.TryGetValue(key, out var now) ? now.ETag : null;
            throw new InconsistentStateException($"The state {stateName} of {grainId} was written by someone else", current, grainState.ETag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _store.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
