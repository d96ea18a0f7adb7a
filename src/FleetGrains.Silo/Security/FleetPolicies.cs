using Microsoft.AspNetCore.Authorization;

namespace FleetGrains.Silo.Security;

/// <summary>The authorization policy of every API endpoint: each one names one of these.</summary>
public static class FleetPolicies
{
    /// <summary>Signed in with any grant: lists are filtered to what the caller may see.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Viewer (or more) on the route's fleet.</summary>
    public const string Viewer = "fleet-viewer";

    /// <summary>Operator (or admin) on the route's fleet.</summary>
    public const string Operator = "fleet-operator";

    /// <summary>Admin on the route's fleet (model assignment).</summary>
    public const string FleetAdmin = "fleet-admin";

    /// <summary>Ingest on at least one fleet; each event is then checked against its own fleet.</summary>
    public const string Ingest = "ingest";

    /// <summary>Admin of every fleet: keys, sources, dead letters.</summary>
    public const string ClusterAdmin = "cluster-admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        options.AddPolicy(Viewer, p => p.RequireAuthenticatedUser().AddRequirements(new FleetRoleRequirement(FleetRole.Viewer, FleetScoped: true)));
        options.AddPolicy(Operator, p => p.RequireAuthenticatedUser().AddRequirements(new FleetRoleRequirement(FleetRole.Operator, FleetScoped: true)));
        options.AddPolicy(FleetAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new FleetRoleRequirement(FleetRole.Admin, FleetScoped: true)));
        options.AddPolicy(Ingest, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.Grants().Any(g => g.Role is FleetRole.Ingest or FleetRole.Admin)));
        options.AddPolicy(ClusterAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new FleetRoleRequirement(FleetRole.Admin, FleetScoped: false)));

        // An endpoint that names no policy still needs a signed-in caller (tests check that each one names one).
        options.FallbackPolicy = options.GetPolicy(SignedIn);
    }
}

/// <summary>The caller holds <paramref name="Role"/> on the route's <c>fleetId</c> (<paramref name="FleetScoped"/>) or on every fleet.</summary>
public sealed record FleetRoleRequirement(FleetRole Role, bool FleetScoped) : IAuthorizationRequirement;

public sealed class FleetRoleHandler : AuthorizationHandler<FleetRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, FleetRoleRequirement requirement)
    {
        var fleetId = requirement.FleetScoped ? RouteFleet(context.Resource) : null;
        if ((!requirement.FleetScoped || fleetId is not null) && context.User.Has(requirement.Role, fleetId))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public static string? RouteFleet(object? resource) => resource is HttpContext http ? http.GetRouteValue("fleetId") as string : null;
}
