using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace FleetGrains.Silo.Security;

public static class SecurityHostingExtensions
{
    /// <summary>The default scheme: a bearer token goes to the JWT handler (when configured), anything else to the API key handler.</summary>
    public const string SelectorScheme = "Fleet";

    /// <summary>
    /// Authentication (API keys, JWT bearer tokens when configured, or nothing on loopback when explicitly off) and the
    /// per-fleet authorization policies. <paramref name="embedded"/>: the single localhost silo, which may make its own
    /// admin key; a cluster's silos must share a configured one.
    /// </summary>
    public static IHostApplicationBuilder AddFleetSecurity(this IHostApplicationBuilder builder, bool embedded)
    {
        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        var failures = new SecurityOptionsValidator().Validate(null, security).Failures?.ToList() ?? [];
        if (security.RequireAuthentication && security.AdminKey is null && !embedded)
        {
            failures.Add($"{SecurityOptions.Section}:AdminKey is required with Redis clustering: every silo must accept the same admin key (in Kubernetes from a Secret, which the Helm chart makes).");
        }

        if (!security.RequireAuthentication && LoopbackOnly.NonLoopbackUrls(builder.Configuration) is { Count: > 0 } exposed)
        {
            failures.Add($"{SecurityOptions.Section}:RequireAuthentication is false, so the API may listen only on loopback addresses; refusing to listen on {string.Join(", ", exposed)}.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions), failures);
        }

        var services = builder.Services;
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton(new AdminKey(security.AdminKey));
        services.AddSingleton<ApiKeyValidator>();
        services.AddFleetRateLimits();
        services.AddAuthorization(FleetPolicies.Add);
        services.AddSingleton<IAuthorizationHandler, FleetRoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, FleetAuthorizationResultHandler>();
        if (!security.RequireAuthentication)
        {
            services.AddAuthentication(OpenAccessAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, OpenAccessAuthenticationHandler>(OpenAccessAuthenticationHandler.SchemeName, null);
            return builder;
        }

        var jwt = security.Jwt;
        var authentication = services.AddAuthentication(SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(SelectorScheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName);
        if (jwt.Enabled)
        {
            authentication.AddJwtBearer(o => ConfigureJwt(o, jwt));
        }

        if (embedded)
        {
            services.AddHostedService<AdminKeyAnnouncement>();
        }

        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions o, JwtOptions jwt)
    {
        o.MapInboundClaims = false;
        o.Audience = jwt.Audience;
        o.TokenValidationParameters.NameClaimType = "sub";
        if (jwt.Authority is { } authority)
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        }
        else
        {
            o.TokenValidationParameters.ValidIssuer = jwt.Issuer;
            o.TokenValidationParameters.IssuerSigningKey = PublicKey(jwt.SigningKeyFile!);
        }

        o.Events = new JwtBearerEvents { OnTokenValidated = context => GrantsFromRoleClaim(context.Principal!, jwt.RoleClaim) };
    }

    // The identity provider's role claim values that are grants become grant claims; nothing else does.
    private static Task GrantsFromRoleClaim(ClaimsPrincipal principal, string roleClaim)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        foreach (var forged in identity.FindAll(FleetAccess.GrantClaim).ToList())
        {
            identity.RemoveClaim(forged);
        }

        foreach (var role in identity.FindAll(roleClaim).ToList())
        {
            if (FleetGrant.TryParse(role.Value, out var grant))
            {
                identity.AddClaim(new Claim(FleetAccess.GrantClaim, grant.ToString()));
            }
        }

        return Task.CompletedTask;
    }

    private static SecurityKey PublicKey(string pemFile)
    {
        var pem = File.ReadAllText(pemFile);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
    }
}
