using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>
/// JWTs from an OpenID Connect provider found by discovery (<c>Fleet:Security:Jwt:Authority</c>): the silo fetches
/// the provider's discovery document and signing keys (JWKS) over HTTP, as from Keycloak or Entra ID. No identity
/// provider runs here, so a small one on loopback serves exactly those two documents; the silo's JwtBearer
/// handler reads them as it would any provider's.
/// </summary>
public sealed class OpenIdProviderTests : IAsyncLifetime
{
    private const string Audience = "fleetgrains";
    private readonly RsaSecurityKey _first = new(RSA.Create(2048)) { KeyId = "key-1" };
    private readonly RsaSecurityKey _second = new(RSA.Create(2048)) { KeyId = "key-2" };
    private readonly List<RsaSecurityKey> _published = [];
    private WebApplication _provider = null!;
    private string _issuer = null!;
    private int _keyFetches;
    private SiloHost _host = null!;

    public async Task InitializeAsync()
    {
        _published.Add(_first);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = builder.Build();
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _issuer,
            ["jwks_uri"] = $"{_issuer}/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _provider.MapGet("/keys", () =>
        {
            Interlocked.Increment(ref _keyFetches);
            var keys = _published.Select(k => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(k.Rsa.ExportParameters(false)) { KeyId = k.KeyId }))
                .Select(j => new { kty = j.Kty, kid = j.Kid, use = "sig", alg = "RS256", n = j.N, e = j.E });
            return Results.Json(new { keys });
        });
        await _provider.StartAsync();
        _issuer = _provider.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Security:Jwt:Authority"] = _issuer,
            ["Fleet:Security:Jwt:Audience"] = Audience,
            ["Fleet:Security:Jwt:RequireHttpsMetadata"] = "false", // loopback test provider; HTTPS in production
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
        _first.Rsa.Dispose();
        _second.Rsa.Dispose();
    }

    [Fact]
    public async Task TokensSignedWithThePublishedKey_AreAccepted_OthersRefused()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Token(_first, _issuer, Audience)));
        Assert.True(_keyFetches >= 1, "the silo never fetched the provider's keys");

        using var strangersRsa = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(new RsaSecurityKey(strangersRsa) { KeyId = "key-1" }, _issuer, Audience)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(_first, "http://another-issuer.test", Audience)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(_first, _issuer, "another-audience")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(_first, _issuer, Audience, expires: DateTime.UtcNow.AddMinutes(-10))));
    }

    [Fact]
    public async Task AfterTheProviderRotatesItsKey_TokensSignedWithTheNewKey_AreAccepted()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Token(_first, _issuer, Audience)));
        _published.Insert(0, _second);

        // An unknown key id makes the handler fetch the keys again; the token that found it may be refused meanwhile.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        while ((status = await StatusAsync(Token(_second, _issuer, Audience))) != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(_keyFetches >= 2, $"keys fetched {_keyFetches} times");
    }

    private async Task<HttpStatusCode> StatusAsync(string token)
    {
        using var client = new HttpClient { BaseAddress = _host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/fleets");
        return response.StatusCode;
    }

    private static string Token(SecurityKey key, string issuer, string audience, DateTime? expires = null)
    {
        var until = expires ?? DateTime.UtcNow.AddMinutes(5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = until.AddMinutes(-30),
            IssuedAt = until.AddMinutes(-30),
            Expires = until,
            Claims = new Dictionary<string, object> { ["sub"] = "operator-7", ["roles"] = new[] { "viewer:*" } },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}
