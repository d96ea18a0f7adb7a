using System.Collections.Concurrent;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// The embedded silo's in-memory storage, counting the reads (one per activation) and the writes (applied, and
/// refused for a version conflict) per grain so tests can see when grains persist; it can also fail a grain's next write, or lose its answer.
/// </summary>
public sealed class CountingGrainStorage(StateSerializer serializer) : IGrainStorage
{
    private readonly ProcessMemoryGrainStorage _store = new(serializer);
    private readonly ConcurrentDictionary<GrainId, int> _reads = new();
    private readonly ConcurrentDictionary<GrainId, int> _writes = new();
    private readonly ConcurrentDictionary<GrainId, int> _conflicts = new();
    private readonly ConcurrentDictionary<GrainId, bool> _loseNextAnswer = new();
    private readonly ConcurrentDictionary<GrainId, bool> _failNext = new();

    public int ReadsOf(GrainId grain) => _reads.GetValueOrDefault(grain);

    public int WritesOf(GrainId grain) => _writes.GetValueOrDefault(grain);

    public int ConflictsOf(GrainId grain) => _conflicts.GetValueOrDefault(grain);

    /// <summary>The grain's next write is applied, then fails as if the connection dropped before the answer (a store restarting).</summary>
    public void LoseAnswerToNextWrite(GrainId grain) => _loseNextAnswer[grain] = true;

    /// <summary>The grain's next write fails without being applied (the store is unreachable).</summary>
    public void FailNextWrite(GrainId grain) => _failNext[grain] = true;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _reads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        return _store.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_failNext.TryRemove(grainId, out _))
        {
            throw new IOException($"The store could not be reached to write {grainId}.");
        }

        var etagBefore = grainState.ETag;
        try
        {
            await _store.WriteStateAsync(stateName, grainId, grainState);
        }
        catch (InconsistentStateException)
        {
            _conflicts.AddOrUpdate(grainId, 1, (_, n) => n + 1);
            throw;
        }

        _writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        if (_loseNextAnswer.TryRemove(grainId, out _))
        {
            grainState.ETag = etagBefore; // the caller never learned the new one
            throw new IOException($"The connection closed before the store answered the write of {grainId} (which it applied).");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _store.ClearStateAsync(stateName, grainId, grainState);
}
