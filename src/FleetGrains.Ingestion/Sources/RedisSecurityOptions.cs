using FleetGrains.Ingestion.Tls;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// How every Redis connection of a silo (membership, grain state, reminders, streams, audit) signs in and is
/// encrypted; bound from <c>Fleet:Redis</c>. These add to (and override) what the connection string says.
/// </summary>
public sealed class RedisSecurityOptions
{
    public const string Section = "Fleet:Redis";

    /// <summary>The ACL user (Redis 6+); unset: the default user.</summary>
    public string? User { get; set; }

    /// <summary>The user's password (<c>requirepass</c> for the default user).</summary>
    public string? Password { get; set; }

    /// <summary>Connect with TLS.</summary>
    public bool Tls { get; set; }

    /// <summary>With TLS: a PEM file of the CA(s) Redis's certificate must chain to; unset: the machine's trust store.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>With TLS: the name Redis's certificate must carry; unset: the host of the connection string.</summary>
    public string? TlsHost { get; set; }

    /// <summary>The StackExchange.Redis options for <paramref name="connectionString"/> with these applied; it keeps retrying while Redis is away.</summary>
    public ConfigurationOptions For(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false; // a restart of Redis must not stop a silo
        if (User is { Length: > 0 } user)
        {
            options.User = user;
        }

        if (Password is { Length: > 0 } password)
        {
            options.Password = password;
        }

        if (Tls)
        {
            options.Ssl = true;
            options.SslHost = TlsHost ?? options.SslHost;
            if (TlsCaFile is { } caFile)
            {
                var authority = PrivateCertificateAuthority.Load(caFile);
                options.CertificateValidation += (_, certificate, _, errors) => authority.Validates(certificate, errors);
            }
        }

        return options;
    }
}

public sealed class RedisSecurityOptionsValidator : IValidateOptions<RedisSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSecurityOptions o)
    {
        var failures = new List<string>();
        if (o.User is { Length: > 0 } && string.IsNullOrEmpty(o.Password))
        {
            failures.Add($"{RedisSecurityOptions.Section}:Password is required with User.");
        }

        if (!o.Tls && (o.TlsCaFile is not null || o.TlsHost is not null))
        {
            failures.Add($"{RedisSecurityOptions.Section}:TlsCaFile and TlsHost need Tls=true.");
        }

        if (o.TlsCaFile is { } caFile && !File.Exists(caFile))
        {
            failures.Add($"{RedisSecurityOptions.Section}:TlsCaFile '{caFile}' does not exist.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
