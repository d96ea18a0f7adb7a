namespace FleetGrains.Abstractions;

/// <summary>
/// One API key as stored: never the key itself, only the SHA-256 of its secret part. <see cref="Grants"/> are
/// <c>role:fleet</c> strings (<c>operator:turbines</c>, <c>ingest:*</c>, <c>admin:*</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Grants,
    [property: Id(3)] byte[] SecretHash,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] DateTimeOffset? RevokedAt)
{
    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
