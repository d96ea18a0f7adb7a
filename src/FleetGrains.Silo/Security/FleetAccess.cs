using System.Security.Claims;

namespace FleetGrains.Silo.Security;

/// <summary>What an authenticated caller may do: its <see cref="FleetGrant"/>s, carried as <see cref="GrantClaim"/> claims.</summary>
public static class FleetAccess
{
    /// <summary>The claim type of a grant (<c>role:fleet</c>), whichever way the caller signed in.</summary>
    public const string GrantClaim = "fleet-grant";

    public static IReadOnlyList<FleetGrant> Grants(this ClaimsPrincipal user) =>
        [.. user.FindAll(GrantClaim).Select(c => FleetGrant.TryParse(c.Value, out var grant) ? grant : (FleetGrant?)null).OfType<FleetGrant>()];

    /// <summary>Whether the caller may act as <paramref name="role"/> on <paramref name="fleetId"/> (null: a cluster-wide action).</summary>
    public static bool Has(this ClaimsPrincipal user, FleetRole role, string? fleetId) => user.Grants().Any(g => g.Allows(role, fleetId));

    /// <summary>Whether the fleet is known to the caller (any grant covers it): without one, its resources answer 404.</summary>
    public static bool Knows(this ClaimsPrincipal user, string fleetId) => user.Grants().Any(g => g.Covers(fleetId));

    /// <summary>
    /// The credential the caller signed in with, stable across renames: <c>apikey:&lt;id&gt;</c>, <c>apikey:admin</c>,
    /// <c>jwt:&lt;subject&gt;</c> or <c>open</c> (authentication off); null when the caller has not signed in.
    /// What rate limits count and the audit log names.
    /// </summary>
    public static string? Credential(this ClaimsPrincipal user) => user.Identity switch
    {
        { IsAuthenticated: false } or null => null,
        { AuthenticationType: ApiKeyAuthenticationHandler.SchemeName } => $"apikey:{user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) ?? "admin"}",
        { AuthenticationType: OpenAccessAuthenticationHandler.SchemeName } => "open",
        var identity => $"jwt:{identity.Name}",
    };

    /// <summary>Whether the caller may see the fleet in lists and read it.</summary>
    public static bool MayView(this ClaimsPrincipal user, string fleetId) => user.Has(FleetRole.Viewer, fleetId);
}
