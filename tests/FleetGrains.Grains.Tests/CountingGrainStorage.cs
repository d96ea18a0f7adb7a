using System.Collections.Concurrent;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// A real in-memory grain storage (serialized copies, ETags) that also counts the writes per grain,
/// so tests can see when grains persist.
/// </summary>
public sealed class CountingGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (BinaryData Data, string ETag)> _store = new();
    private readonly ConcurrentDictionary<GrainId, int> _writes = new();

    public int WritesOf(GrainId grain) => _writes.GetValueOrDefault(grain);

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
        if (_store.TryGetValue(key, out var stored) && stored.ETag != grainState.ETag)
        {
            throw new InconsistentStateException($"ETag mismatch for {grainId}", stored.ETag, grainState.ETag);
        }

        var etag = Guid.NewGuid().ToString("N");
        _store[key] = (serializer.Serialize(grainState.State), etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        _writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
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
