using Orleans.Core;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// A grain's persisted state, read from and written to its <see cref="IGrainStorage"/> directly: what Orleans'
/// <c>[PersistentState]</c> bridge does for a grain, in one object. The bridge costs ~400 bytes per activation (its
/// own object, a lock, a <see cref="GrainState{T}"/>, the grain's lifecycle and migration registrations), which a
/// silo holding a million device grains cannot spare. The grain reads the state when it activates (unless it arrived
/// with a migration), carries it when it migrates (<see cref="Dehydrate"/>, <see cref="TryRehydrate"/>, under the
/// bridge's key and type, so silos with either can hand a grain over), and never overlaps two operations on it: a
/// grain's calls do not interleave. Storage errors reach the caller as the store raised them.
/// </summary>
public sealed class DirectGrainState<TState>(IGrainBase grain, string name, IGrainStorage store) : IStorage<TState>, IGrainState<TState>
    where TState : new()
{
    public TState State { get; set; } = new();

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    /// <summary>Whether the state was read from storage or brought by a migration.</summary>
    public bool IsLoaded { get; private set; }

    string? IStorage.Etag => ETag;

    // A store that found nothing may set null (or its own empty instance): the state is never null here.
    TState? IGrainState<TState>.State
    {
        get => State;
        set => State = value ?? new();
    }

    private string MigrationKey => $"state.{name}";

    public async Task ReadStateAsync()
    {
        await store.ReadStateAsync(name, grain.GrainContext.GrainId, this);
        IsLoaded = true;
    }

    public Task WriteStateAsync() => store.WriteStateAsync(name, grain.GrainContext.GrainId, this);

    public Task ClearStateAsync() => store.ClearStateAsync(name, grain.GrainContext.GrainId, this);

    /// <summary>The grain moves to another silo: its state goes with it, saved or not.</summary>
    public void Dehydrate(IDehydrationContext context) =>
        context.TryAddValue(MigrationKey, new GrainState<TState>(State, ETag) { RecordExists = RecordExists });

    /// <summary>Takes the state a migrating grain brought; false when it brought none (it is read from storage then).</summary>
    public bool TryRehydrate(IRehydrationContext context)
    {
        if (!context.TryGetValue<GrainState<TState>>(MigrationKey, out var migrated))
        {
            return false;
        }

        (State, ETag, RecordExists, IsLoaded) = (migrated.State ?? new(), migrated.ETag, migrated.RecordExists, true);
        return true;
    }
}
