using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Security;

/// <summary>Every change is written before it is answered: a created key must work, a revoked one must stay revoked.</summary>
public sealed class ApiKeyRegistryGrain(
    [PersistentState("apikeys", FleetStorage.Name)] IPersistentState<ApiKeyRegistryState> state) : Grain, IApiKeyRegistryGrain
{
    /// <summary>Keys kept, revoked ones included (they are listed so that an operator sees what was revoked when).</summary>
    public const int MaxKeys = 10_000;

    public async Task<bool> AddAsync(ApiKeyRecord key)
    {
        if (state.State.Keys.Count >= MaxKeys || !state.State.Keys.TryAdd(key.Id, key))
        {
            return false;
        }

        await this.WriteOrUndoAsync(state, () => state.State.Keys.Remove(key.Id));
        return true;
    }

    public Task<ApiKeyRecord?> GetAsync(string id) => Task.FromResult(state.State.Keys.GetValueOrDefault(id));

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync() =>
        Task.FromResult<IReadOnlyList<ApiKeyRecord>>([.. state.State.Keys.Values.OrderBy(k => k.CreatedAt)]);

    public async Task<ApiKeyRecord?> RevokeAsync(string id, DateTimeOffset at)
    {
        if (!state.State.Keys.TryGetValue(id, out var key))
        {
            return null;
        }

        if (key.RevokedAt is null)
        {
            state.State.Keys[id] = key with { RevokedAt = at };
            await this.WriteOrUndoAsync(state, () => state.State.Keys[id] = key);
        }

        return state.State.Keys[id];
    }
}

[GenerateSerializer]
public sealed class ApiKeyRegistryState
{
    [Id(0)]
    public Dictionary<string, ApiKeyRecord> Keys { get; set; } = new(StringComparer.Ordinal);
}
