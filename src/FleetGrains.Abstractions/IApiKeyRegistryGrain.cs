namespace FleetGrains.Abstractions;

/// <summary>The cluster's API keys (one instance, key 0), in grain storage: Redis in a cluster, memory in the embedded default.</summary>
[Alias("FleetGrains.IApiKeyRegistryGrain")]
public interface IApiKeyRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Stores a new key; false when its id is taken or the registry is full.</summary>
    [Alias("Add")]
    Task<bool> AddAsync(ApiKeyRecord key);

    [Alias("Get")]
    Task<ApiKeyRecord?> GetAsync(string id);

    [Alias("List")]
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync();

    /// <summary>Marks the key revoked (it stays listed); null when there is no such key.</summary>
    [Alias("Revoke")]
    Task<ApiKeyRecord?> RevokeAsync(string id, DateTimeOffset at);
}
