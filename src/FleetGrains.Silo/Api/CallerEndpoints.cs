using System.Security.Claims;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleetGrains.Silo.Api;

/// <summary>Who the caller is and what it may do: how a client (the dashboard) decides which actions to offer.</summary>
public static class CallerEndpoints
{
    public static RouteGroupBuilder MapCallerEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", GetCaller).RequireAuthorization(FleetPolicies.SignedIn).WithTags("Caller").WithName("GetCaller")
            .WithSummary("The caller's name and grants (role:fleet), as the silo sees its credential");
        return api;
    }

    public static Ok<CallerDescription> GetCaller(ClaimsPrincipal user) =>
        TypedResults.Ok(new CallerDescription(
            user.Identity?.Name ?? "",
            [.. user.Grants().Select(g => g.ToString())],
            ClusterAdmin: user.Has(FleetRole.Admin, fleetId: null)));
}

/// <param name="Grants">Each <c>role:fleet</c> (<c>*</c>: every fleet); operator implies viewer, admin implies every role.</param>
/// <param name="ClusterAdmin">Admin of every fleet: keys, sources and dead letters.</param>
public sealed record CallerDescription(string Name, IReadOnlyList<string> Grants, bool ClusterAdmin);
