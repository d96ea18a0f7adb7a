using System.Collections.Concurrent;
using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Security;

/// <summary>What a presented key turned out to be: its name and grants, or why it was refused.</summary>
public sealed record ApiKeyCheck(string? KeyId, string? Name, IReadOnlyList<string> Grants, string? Failure)
{
    public static ApiKeyCheck Refused(string reason) => new(null, null, [], reason);
}

/// <summary>
/// Checks presented keys against the admin key and the registry grain. Records are cached for
/// <see cref="SecurityOptions.KeyCacheDuration"/> (unknown ids too, so garbage keys cost no grain call each), so
/// a key revoked on another silo stops working here within that time; changes made here apply at once.
/// </summary>
public sealed class ApiKeyValidator(IGrainFactory grains, AdminKey admin, IOptions<SecurityOptions> options, TimeProvider time)
{
    public const string AdminKeyName = "admin (configuration)";
    private const int MaxCachedKeys = 100_000;

    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset FetchedAt)> _cache = new(StringComparer.Ordinal);

    public async Task<ApiKeyCheck> CheckAsync(string presented)
    {
        if (admin.Matches(presented))
        {
            return new ApiKeyCheck(null, AdminKeyName, [new FleetGrant(FleetRole.Admin, FleetGrant.AllFleets).ToString()], null);
        }

        if (!ApiKeyFormat.TryParse(presented, out var id, out var secret))
        {
            return ApiKeyCheck.Refused("The API key is not well formed.");
        }

        var record = await LookUpAsync(id);
        if (record is null || !ApiKeyFormat.Matches(record.SecretHash, secret))
        {
            return ApiKeyCheck.Refused("The API key is not known.");
        }

        if (record.RevokedAt is not null)
        {
            return ApiKeyCheck.Refused($"The API key '{record.Name}' was revoked.");
        }

        if (record.ExpiresAt <= time.GetUtcNow())
        {
            return ApiKeyCheck.Refused($"The API key '{record.Name}' has expired.");
        }

        return new ApiKeyCheck(record.Id, record.Name, record.Grants, null);
    }

    /// <summary>Drops what this silo knows of a key (after creating or revoking it here).</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    private async Task<ApiKeyRecord?> LookUpAsync(string id)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && now - cached.FetchedAt < options.Value.KeyCacheDuration)
        {
            return cached.Record;
        }

        var record = await grains.GetGrain<IApiKeyRegistryGrain>(0).GetAsync(id);
        if (_cache.Count >= MaxCachedKeys)
        {
            _cache.Clear();
        }

        _cache[id] = (record, now);
        return record;
    }
}
