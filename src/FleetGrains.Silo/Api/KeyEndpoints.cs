using FleetGrains.Abstractions;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>API keys: created (the key shown once), listed (never the key), revoked. Admins of every fleet only.</summary>
public static class KeyEndpoints
{
    public const int MaxNameLength = 100;
    public const int MaxGrants = 100;
    private const int MaxBodyBytes = 16 * 1024;
    private const string Usage = """Send {"name": "gateway-7", "grants": ["ingest:turbines"], "expiresAt": "2027-06-30T00:00:00Z"} (expiresAt optional; grants are role:fleet with role viewer, operator, ingest or admin and fleet an id or *).""";

    public static RouteGroupBuilder MapKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Keys").RequireAuthorization(FleetPolicies.ClusterAdmin);
        keys.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Create an API key with grants; the answer is the only place the key is ever shown")
            .Accepts<CreateKeyRequest>("application/json");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("Every API key (never the key itself): name, grants, created, expires, revoked");
        keys.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key: refused on every silo within Fleet:Security:KeyCacheDuration");
        return api;
    }

    public static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpContext http, IGrainFactory grains, ApiKeyValidator validator, AuditTrail audit, TimeProvider time, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateKeyRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"A name of 1-{MaxNameLength} printable characters is required. {Usage}"];
        }

        var grants = new List<string>();
        foreach (var text in body?.Grants ?? [])
        {
            if (FleetGrant.TryParse(text, out var grant))
            {
                grants.Add(grant.ToString());
            }
            else
            {
                errors["grants"] = [$"'{text}' is not a grant. {Usage}"];
            }
        }

        if (grants.Count is 0 or > MaxGrants && !errors.ContainsKey("grants"))
        {
            errors["grants"] = [$"Between 1 and {MaxGrants} grants are required. {Usage}"];
        }

        if (body?.ExpiresAt is { } expires && (expires <= now || expires > now.AddYears(10)))
        {
            errors["expiresAt"] = ["expiresAt must be in the future, and within 10 years."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (id, secret, key) = ApiKeyFormat.Generate();
        var record = new ApiKeyRecord(id, name!, [.. grants.Distinct()], ApiKeyFormat.Hash(secret), now, body!.ExpiresAt, null);
        if (!await grains.GetGrain<IApiKeyRegistryGrain>(0).AddAsync(record))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Key not created",
                detail: "The registry is full (revoked keys count too) or the new key's id was taken; try again.");
        }

        validator.Forget(id);
        await audit.RecordClusterAsync(http, id, null, ApiKeyView.From(record));
        return TypedResults.Created($"/api/keys/{id}", new CreatedApiKey(ApiKeyView.From(record), key));
    }

    public static async Task<Ok<ApiKeyView[]>> ListAsync(IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IApiKeyRegistryGrain>(0).ListAsync()).Select(ApiKeyView.From).ToArray());

    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> RevokeAsync(
        string keyId, HttpContext http, IGrainFactory grains, ApiKeyValidator validator, AuditTrail audit, TimeProvider time)
    {
        var registry = grains.GetGrain<IApiKeyRegistryGrain>(0);
        var before = await registry.GetAsync(keyId);
        var revoked = await registry.RevokeAsync(keyId, time.GetUtcNow());
        validator.Forget(keyId);
        if (revoked is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown key", detail: $"There is no API key '{keyId}'.");
        }

        if (before?.RevokedAt is null)
        {
            await audit.RecordClusterAsync(http, keyId, before is null ? null : ApiKeyView.From(before), ApiKeyView.From(revoked));
        }

        return TypedResults.Ok(ApiKeyView.From(revoked));
    }
}

public sealed record CreateKeyRequest(string? Name, string[]? Grants, DateTimeOffset? ExpiresAt);

/// <summary>What is known of a key, never the key.</summary>
public sealed record ApiKeyView(string Id, string Name, IReadOnlyList<string> Grants, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView From(ApiKeyRecord r) => new(r.Id, r.Name, r.Grants, r.CreatedAt, r.ExpiresAt, r.RevokedAt);
}

/// <summary>The answer to a creation: the key itself, this once.</summary>
public sealed record CreatedApiKey(ApiKeyView Details, string Key);
