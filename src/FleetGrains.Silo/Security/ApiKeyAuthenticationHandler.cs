using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FleetGrains.Silo.Security;

/// <summary>
/// Signs in a caller by the API key in its <c>X-Api-Key</c> header; without the header it leaves the request to
/// the other schemes. A refused key, or none where one is needed, is answered 401 with problem+json saying why
/// and <c>WWW-Authenticate: ApiKey</c>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyValidator validator, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string KeyIdClaim = "fleet-key-id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            return AuthenticateResult.Fail($"Send one {Header} header with one key.");
        }

        var check = await validator.CheckAsync(values[0]!.Trim());
        if (check.Failure is { } failure)
        {
            return AuthenticateResult.Fail(failure);
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, check.Name!) };
        if (check.KeyId is { } keyId)
        {
            claims.Add(new Claim(KeyIdClaim, keyId));
        }

        claims.AddRange(check.Grants.Select(g => new Claim(FleetAccess.GrantClaim, g)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"{SchemeName} header=\"{Header}\"");
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = result.Failure?.Message ?? $"This endpoint needs a credential: an API key in the {Header} header, or a bearer token.",
            },
        });
    }
}
