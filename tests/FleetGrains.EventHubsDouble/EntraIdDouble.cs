using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// The part of Microsoft Entra ID that Kubernetes workload identity signs in at, in process over HTTPS on a random
/// loopback port: the OAuth 2.0 client-credentials grant at <c>/{tenant}/oauth2/v2.0/token</c> with a federated client
/// assertion (the service account's token, as <c>AZURE_FEDERATED_TOKEN_FILE</c> holds it). A request for the Event
/// Hubs scope by the one registered application, asserting the one trusted token, gets a signed JWT access token for
/// the audience <c>https://eventhubs.azure.net</c>; anything else gets Entra's error answer. The hub double accepts
/// the tokens this issuer signed (<see cref="Problem"/>) as the service accepts Entra's.
/// </summary>
public sealed class EntraIdDouble : IAsyncDisposable
{
    public const string EventHubsAudience = "https://eventhubs.azure.net";
    private const string EventHubsScope = EventHubsAudience + "/.default";
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly string _tenantId;
    private readonly string _clientId;
    private readonly string _federatedToken;
    private readonly TimeSpan _lifetime;
    private readonly WebApplication _app;
    private int _issued;
    private int _refused;

    private EntraIdDouble(X509Certificate2 certificate, string tenantId, string clientId, string federatedToken, TimeSpan lifetime)
    {
        _tenantId = tenantId;
        _clientId = clientId;
        _federatedToken = federatedToken;
        _lifetime = lifetime;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        _app = builder.Build();
        _app.MapPost("/{tenant}/oauth2/v2.0/token", (string tenant, HttpRequest request) => TokenAsync(tenant, request));
    }

    /// <summary>Where clients sign in (<c>AZURE_AUTHORITY_HOST</c>): <c>https://localhost:{port}/</c>, as the certificate names it.</summary>
    public Uri AuthorityHost { get; private set; } = null!;

    /// <summary>Access tokens issued so far.</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>Token requests refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>
    /// Starts the issuer with <paramref name="certificate"/> (its key included, for <c>localhost</c>) for the application
    /// <paramref name="clientId"/> of <paramref name="tenantId"/> that trusts <paramref name="federatedToken"/>; its
    /// access tokens live <paramref name="lifetime"/> (default an hour, as Entra's).
    /// </summary>
    public static async Task<EntraIdDouble> StartAsync(X509Certificate2 certificate, string tenantId, string clientId, string federatedToken, TimeSpan? lifetime = null)
    {
        var issuer = new EntraIdDouble(certificate, tenantId, clientId, federatedToken, lifetime ?? TimeSpan.FromHours(1));
        await issuer._app.StartAsync();
        var address = new Uri(issuer._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        issuer.AuthorityHost = new Uri($"https://localhost:{address.Port}/");
        return issuer;
    }

    /// <summary>Null when <paramref name="accessToken"/> is a token of this issuer for Event Hubs, unexpired; else why not.</summary>
    public string? Problem(string? accessToken)
    {
        var parts = accessToken?.Split('.') ?? [];
        if (parts.Length != 3)
        {
            return "the token is not a JWT";
        }

        var expected = HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return "the token's signature is not the issuer's";
        }

        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        if ((string?)claims["aud"] != EventHubsAudience)
        {
            return $"the token is for '{claims["aud"]}', not for Event Hubs";
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)claims["exp"]!) <= DateTimeOffset.UtcNow ? "the token has expired" : null;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> TokenAsync(string tenant, HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return Refuse(400, "invalid_request", 900144, "The request body must contain the parameter 'grant_type'.");
        }

        var form = await request.ReadFormAsync();
        if (tenant != _tenantId)
        {
            return Refuse(400, "invalid_request", 90002, $"Tenant '{tenant}' not found.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return Refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        }

        if (form["client_id"] != _clientId)
        {
            return Refuse(400, "unauthorized_client", 700016, $"Application with identifier '{form["client_id"]}' was not found in the directory '{tenant}'.");
        }

        if (form["client_assertion_type"] != AssertionType || form["client_assertion"] != _federatedToken)
        {
            return Refuse(401, "invalid_client", 700213, "No matching federated identity record found for presented assertion subject.");
        }

        if (form["scope"] != EventHubsScope)
        {
            return Refuse(400, "invalid_scope", 70011, $"The provided value for scope '{form["scope"]}' is not valid here.");
        }

        Interlocked.Increment(ref _issued);
        return Results.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)_lifetime.TotalSeconds,
            ["ext_expires_in"] = (int)_lifetime.TotalSeconds,
            ["access_token"] = AccessToken(),
        });
    }

    private string AccessToken()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new
        {
            aud = EventHubsAudience,
            iss = $"https://sts.windows.net/{_tenantId}/",
            tid = _tenantId,
            appid = _clientId,
            iat = now,
            nbf = now,
            exp = now + (long)_lifetime.TotalSeconds,
        }));
        var signature = HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes($"{header}.{claims}"));
        return $"{header}.{claims}.{Base64Url.EncodeToString(signature)}";
    }

    private IResult Refuse(int status, string error, int code, string description)
    {
        Interlocked.Increment(ref _refused);
        return Results.Json(
            new JsonObject
            {
                ["error"] = error,
                ["error_description"] = $"AADSTS{code}: {description}",
                ["error_codes"] = new JsonArray(code),
            },
            statusCode: status);
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
