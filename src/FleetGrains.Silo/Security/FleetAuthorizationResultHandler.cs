using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace FleetGrains.Silo.Security;

/// <summary>
/// Refusals as problem+json. A fleet the caller holds no grant for is answered 404, exactly as a fleet that does
/// not exist (its existence is not leaked); a fleet the caller knows but may not do this on, 403.
/// </summary>
public sealed class FleetAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var needed = policy.Requirements.OfType<FleetRoleRequirement>().FirstOrDefault();
        var fleetId = FleetRoleHandler.RouteFleet(context);
        if (needed is { FleetScoped: true } && fleetId is not null && !context.User.Knows(fleetId))
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, Api.ApiProblems.UnknownFleetTitle, Api.ApiProblems.UnknownFleetDetail(fleetId));
            return;
        }

        var what = needed is null ? "this action" : $"the {needed.Role.ToString().ToLowerInvariant()} role on {(needed.FleetScoped ? $"fleet '{fleetId}'" : "every fleet")}";
        await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"The credential of '{context.User.Identity?.Name}' does not grant {what}.");
    }

    private Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = detail } }).AsTask();
    }
}
