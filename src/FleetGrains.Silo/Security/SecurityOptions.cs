using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Security;

/// <summary>Who may call the API, and how they prove it; bound from <c>Fleet:Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Fleet:Security";

    /// <summary>The shortest key accepted as <see cref="AdminKey"/>: a guessable admin key is no lock.</summary>
    public const int MinAdminKeyLength = 32;

    /// <summary>
    /// Whether every API call must carry a credential. Off only by an explicit setting, and then the silo
    /// refuses to listen on anything but a loopback address.
    /// </summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>
    /// A key with <c>admin:*</c>, from configuration (in Kubernetes: a Secret), checked by its hash. Required
    /// with Redis clustering; the embedded default creates one for each run and prints it when unset.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a silo trusts a key it has looked up: a revoked key stops working on every silo within this.</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>
/// JWT bearer tokens from an external identity provider: its issuer (<see cref="Authority"/>, whose OpenID
/// Connect discovery document gives the signing keys) or a fixed issuer and public key file; the audience; and
/// the claim whose values are grants (<c>operator:turbines</c>, <c>viewer:*</c>).
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The OpenID Connect issuer (e.g. <c>https://login.example.com/realms/fleet</c>). Unset with no <see cref="SigningKeyFile"/>: no JWTs.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim holding the caller's grants (one value each, or a JSON array).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Without discovery: a PEM file with the issuer's public key (RSA or EC), and <see cref="Issuer"/>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The issuer tokens must name, with <see cref="SigningKeyFile"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Whether the discovery document must come over HTTPS (off only for a test identity provider on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => Authority is not null || SigningKeyFile is not null;
}

public sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions o)
    {
        var failures = new List<string>();
        if (o.AdminKey is { } key && (key.Length < SecurityOptions.MinAdminKeyLength || key.Any(char.IsWhiteSpace)))
        {
            failures.Add($"{SecurityOptions.Section}:AdminKey must be at least {SecurityOptions.MinAdminKeyLength} characters without spaces (e.g. 'openssl rand -base64 32').");
        }

        if (o.KeyCacheDuration < TimeSpan.Zero || o.KeyCacheDuration > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{SecurityOptions.Section}:KeyCacheDuration must be between 0 and 5 minutes (was {o.KeyCacheDuration}).");
        }

        var jwt = o.Jwt;
        if (jwt.Enabled && string.IsNullOrWhiteSpace(jwt.Audience))
        {
            failures.Add($"{SecurityOptions.Section}:Jwt:Audience is required with Jwt:Authority or Jwt:SigningKeyFile.");
        }

        if (jwt.Authority is not null && jwt.SigningKeyFile is not null)
        {
            failures.Add($"{SecurityOptions.Section}:Jwt: set Authority (discovery) or SigningKeyFile with Issuer, not both.");
        }

        if (jwt.SigningKeyFile is not null && (string.IsNullOrWhiteSpace(jwt.Issuer) || !File.Exists(jwt.SigningKeyFile)))
        {
            failures.Add($"{SecurityOptions.Section}:Jwt:SigningKeyFile must name an existing PEM file, and Jwt:Issuer must be set with it.");
        }

        if (string.IsNullOrWhiteSpace(jwt.RoleClaim))
        {
            failures.Add($"{SecurityOptions.Section}:Jwt:RoleClaim must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
