using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Security;

/// <summary>
/// <see cref="SecurityOptions.RequireAuthentication"/> off: every caller is an admin of every fleet. Allowed only on
/// loopback addresses (<see cref="LoopbackOnly"/>), for a developer's own machine.
/// </summary>
public sealed class OpenAccessAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OpenAccess";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "anyone (authentication is off)"), new Claim(FleetAccess.GrantClaim, new FleetGrant(FleetRole.Admin, FleetGrant.AllFleets).ToString())],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
