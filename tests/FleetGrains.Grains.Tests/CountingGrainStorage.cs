using System.Collections.Concurrent;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

/// <summary>The embedded silo's in-memory storage, counting the writes per grain so tests can see when grains persist.</summary>
public sealed class CountingGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly ProcessMemoryGrainStorage _store = new(serializer);
    private readonly ConcurrentDictionary<GrainId, int> _writes = new();

    public int WritesOf(GrainId grain) => _writes.GetValueOrDefault(grain);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _store.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _store.WriteStateAsync(stateName, grainId, grainState);
        _writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _store.ClearStateAsync(stateName, grainId, grainState);
}
