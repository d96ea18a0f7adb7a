using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>
/// Every API endpoint, read from the host's own endpoint list (so a new one cannot be forgotten), called with no
/// credential, a key of each role on the endpoint's fleet and on another fleet, an admin key of every fleet, a
/// revoked and an expired key, and JWTs (valid, expired, signed by a stranger): each answer is the one its policy
/// calls for.
/// </summary>
public sealed class AccessMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly HttpClient Client = new();

    private const string Fleet = "fleet-a";
    private const string OtherFleet = "fleet-b";
    private const string Issuer = "https://idp.test";
    private const string Audience = "fleetgrains";

    private readonly RSA _issuerKey = RSA.Create(2048);
    private readonly string _publicKeyFile = Path.GetTempFileName();
    private readonly Dictionary<string, Credential> _credentials = [];
    private SiloHost _host = null!;

    private enum Answer
    {
        Allowed,
        Unauthorized,
        Forbidden,
        Hidden,
    }

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_publicKeyFile, _issuerKey.ExportSubjectPublicKeyInfoPem());
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Security:Jwt:SigningKeyFile"] = _publicKeyFile,
            ["Fleet:Security:Jwt:Issuer"] = Issuer,
            ["Fleet:Security:Jwt:Audience"] = Audience,
        });
        foreach (var fleet in new[] { Fleet, OtherFleet })
        {
            var body = $$"""{"fleetId":"{{fleet}}","deviceId":"d1","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[1,2]}""";
            Assert.Equal(HttpStatusCode.Accepted, (await _host.Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
            await _host.EventuallyAsync<JsonElement>($"/api/fleets/{fleet}", _ => true);
        }

        _credentials["none"] = new Credential(null, null, []);
        foreach (var role in new[] { "viewer", "operator", "ingest", "admin" })
        {
            foreach (var fleet in new[] { Fleet, OtherFleet })
            {
                _credentials[$"key {role}:{fleet}"] = Key(await CreateKeyAsync($"{role}:{fleet}"), [$"{role}:{fleet}"]);
            }
        }

        _credentials["key admin:*"] = Key(await CreateKeyAsync("admin:*"), ["admin:*"]);
        var revoked = await CreateKeyAsync($"viewer:{Fleet}");
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.DeleteAsync($"/api/keys/{revoked[4..20]}")).StatusCode);
        _credentials["key revoked"] = new Credential(revoked, null, []);
        var expiring = await CreateKeyAsync($"viewer:{Fleet}", DateTimeOffset.UtcNow.AddSeconds(1));
        _credentials["key expired"] = new Credential(expiring, null, []);
        _credentials[$"jwt operator:{Fleet}"] = new Credential(null, Token(_issuerKey, [$"operator:{Fleet}"], DateTime.UtcNow.AddMinutes(5)), [$"operator:{Fleet}"]);
        _credentials["jwt expired"] = new Credential(null, Token(_issuerKey, [$"admin:*"], DateTime.UtcNow.AddMinutes(-10)), []);
        using var stranger = RSA.Create(2048);
        _credentials["jwt of a stranger"] = new Credential(null, Token(stranger, ["admin:*"], DateTime.UtcNow.AddMinutes(5)), []);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the expiring key has expired
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _issuerKey.Dispose();
        File.Delete(_publicKeyFile);
    }

    [Fact]
    public void EveryApiEndpoint_NamesOneOfTheFleetPolicies()
    {
        var unnamed = ApiEndpoints().Where(e => Policy(e) is null).Select(e => e.DisplayName).ToList();

        Assert.True(ApiEndpoints().Count >= 19, $"only {ApiEndpoints().Count} endpoints found");
        Assert.True(unnamed.Count == 0, $"endpoints without a policy: {string.Join(", ", unnamed)}");
    }

    [Fact]
    public async Task EveryEndpoint_AnswersEachCredential_AsItsPolicySays()
    {
        var wrong = new List<string>();
        var requests = 0;
        foreach (var endpoint in ApiEndpoints())
        {
            var policy = Policy(endpoint)!;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                foreach (var (name, credential) in _credentials)
                {
                    var expected = Expected(policy, name, credential);
                    using var response = await SendAsync(method, endpoint.RoutePattern.RawText!, credential);
                    requests++;
                    var actual = await ClassifyAsync(response);
                    if (actual != expected)
                    {
                        wrong.Add($"{method} {endpoint.RoutePattern.RawText} ({policy}) with {name}: {actual} ({(int)response.StatusCode}), expected {expected}");
                    }
                }
            }
        }

        output.WriteLine($"{requests} requests, {wrong.Count} answered otherwise than their policy says");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public async Task Refusals_AreProblemJson_And401sSayHowToAuthenticate()
    {
        using var none = await SendAsync("GET", "/api/fleets/{fleetId}", _credentials["none"]);
        using var revoked = await SendAsync("GET", "/api/fleets/{fleetId}", _credentials["key revoked"]);
        using var expired = await SendAsync("GET", "/api/fleets/{fleetId}", _credentials["jwt expired"]);
        using var forbidden = await SendAsync("PUT", "/api/devices/{fleetId}/{deviceId}/threshold", _credentials[$"key viewer:{Fleet}"]);
        using var hidden = await SendAsync("GET", "/api/fleets/{fleetId}", _credentials[$"key viewer:{OtherFleet}"]);
        using var unknown = await SendAsync("GET", "/api/fleets/never-reported", _credentials["key admin:*"]);

        foreach (var response in new[] { none, revoked, expired, forbidden, hidden })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("ApiKey header=\"X-Api-Key\"", none.Headers.WwwAuthenticate.ToString());
        Assert.Contains("was revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Bearer", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("does not grant the operator role on fleet 'fleet-a'", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A fleet the caller has no grant for looks exactly like a fleet that does not exist.
        var hiddenBody = await hidden.Content.ReadFromJsonAsync<JsonElement>();
        var unknownBody = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (hidden.StatusCode, unknown.StatusCode));
        Assert.Equal(unknownBody.GetProperty("title").GetString(), hiddenBody.GetProperty("title").GetString());
        Assert.Equal(unknownBody.GetProperty("detail").GetString()!.Replace("never-reported", Fleet, StringComparison.Ordinal), hiddenBody.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheFleetList_ShowsOnlyWhatTheCallerMayView()
    {
        async Task<string[]> FleetsAsync(string credential)
        {
            using var response = await SendAsync("GET", "/api/fleets", _credentials[credential]);
            return [.. (await response.Content.ReadFromJsonAsync<FleetSummary[]>(SiloHost.Json))!.Select(f => f.FleetId).Order()];
        }

        Assert.Equal([Fleet], await FleetsAsync($"key viewer:{Fleet}"));
        Assert.Equal([Fleet], await FleetsAsync($"jwt operator:{Fleet}"));
        Assert.Equal([OtherFleet], await FleetsAsync($"key operator:{OtherFleet}"));
        Assert.Equal([Fleet, OtherFleet], await FleetsAsync("key admin:*"));
        Assert.Empty(await FleetsAsync($"key ingest:{Fleet}"));
    }

    [Fact]
    public async Task AGatewayOfOneFleet_CannotWriteAnother_EventByEvent()
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = string.Join('\n',
            $$"""{"fleetId":"{{Fleet}}","deviceId":"g1","ts":{{ts}},"seq":0,"values":[1,2]}""",
            $$"""{"fleetId":"{{OtherFleet}}","deviceId":"g1","ts":{{ts}},"seq":0,"values":[1,2]}""",
            $$"""{"fleetId":"{{Fleet}}","deviceId":"g1","ts":{{ts + 1}},"seq":1,"values":[1,2]}""");

        using var response = await SendAsync("POST", "/api/telemetry", _credentials[$"key ingest:{Fleet}"], new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("accepted").GetInt32());
        Assert.Equal(1, report.GetProperty("rejected").GetInt32());
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal($"the credential may not ingest for fleet '{OtherFleet}'", error.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync($"/api/devices/{OtherFleet}/g1")).StatusCode);
        Assert.Equal(2, (await _host.GetJsonAsync<JsonElement>($"/api/devices/{Fleet}/g1")).GetProperty("counters").GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Keys_AreShownOnce_ListedWithoutTheKey_AndRefusedOnceRevoked()
    {
        var key = await CreateKeyAsync($"viewer:{Fleet}");
        var id = key[4..20];
        var credential = Key(key, [$"viewer:{Fleet}"]);
        using (var allowed = await SendAsync("GET", "/api/fleets/{fleetId}", credential))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var listed = await _host.Http.GetStringAsync("/api/keys");
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key[21..], listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await _host.Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        using var refused = await SendAsync("GET", "/api/fleets/{fleetId}", credential);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.DeleteAsync("/api/keys/0123456789abcdef")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"","grants":["viewer:a"]}""", "name")]
    [InlineData("""{"name":"x","grants":[]}""", "grants")]
    [InlineData("""{"name":"x","grants":["superuser:a"]}""", "grants")]
    [InlineData("""{"name":"x","grants":["viewer:bad fleet"]}""", "grants")]
    [InlineData("""{"name":"x","grants":["viewer:a"],"expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task ABadKeyRequest_Is400NamingTheField(string body, string field)
    {
        using var response = await _host.Http.PostAsync("/api/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    private List<RouteEndpoint> ApiEndpoints() =>
        [.. _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal))];

    private static string? Policy(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);

    // What the policy calls for, given what the credential grants on the route's fleet (Fleet) and elsewhere.
    private static Answer Expected(string policy, string name, Credential credential)
    {
        if (credential.Grants.Count == 0)
        {
            return Answer.Unauthorized;
        }

        var grants = credential.Grants.Select(g => FleetGrant.TryParse(g, out var grant) ? grant : throw new ArgumentException(g)).ToList();
        bool Has(FleetRole role, string? fleet) => grants.Any(g => g.Allows(role, fleet));
        var knowsFleet = grants.Any(g => g.Covers(Fleet));
        Answer OnFleet(FleetRole role) => Has(role, Fleet) ? Answer.Allowed : knowsFleet ? Answer.Forbidden : Answer.Hidden;
        return policy switch
        {
            FleetPolicies.SignedIn => Answer.Allowed,
            FleetPolicies.Viewer => OnFleet(FleetRole.Viewer),
            FleetPolicies.Operator => OnFleet(FleetRole.Operator),
            FleetPolicies.FleetAdmin => OnFleet(FleetRole.Admin),
            FleetPolicies.Ingest => grants.Any(g => g.Role is FleetRole.Ingest or FleetRole.Admin) ? Answer.Allowed : Answer.Forbidden,
            FleetPolicies.ClusterAdmin => Has(FleetRole.Admin, null) ? Answer.Allowed : Answer.Forbidden,
            _ => throw new ArgumentException($"{name}: unknown policy {policy}"),
        };
    }

    private static async Task<Answer> ClassifyAsync(HttpResponseMessage response)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                return Answer.Unauthorized;
            case HttpStatusCode.Forbidden:
                return Answer.Forbidden;
            case HttpStatusCode.NotFound:
                var body = await response.Content.ReadAsStringAsync();
                return body.Contains("\"Unknown fleet\"", StringComparison.Ordinal) ? Answer.Hidden : Answer.Allowed;
            default:
                return Answer.Allowed;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string pattern, Credential credential, HttpContent? content = null)
    {
        var path = pattern.Replace("{fleetId}", Fleet, StringComparison.Ordinal).Replace("{deviceId}", "d1", StringComparison.Ordinal)
            .Replace("{workOrderId}", "wo-none", StringComparison.Ordinal).Replace("{keyId}", "0123456789abcdef", StringComparison.Ordinal)
            .Replace("{startSeq:long}", "0", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_host.BaseAddress, path));
        if (content is not null)
        {
            request.Content = content;
        }
        else if (method is "POST" or "PUT")
        {
            request.Content = path == "/api/telemetry"
                ? new StringContent($$"""{"fleetId":"{{Fleet}}","deviceId":"d1","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":{{Random.Shared.Next(1, 1_000_000)}},"values":[1,2]}""", Encoding.UTF8, "application/json")
                : new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (credential.Key is { } key)
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.Header, key);
        }

        if (credential.Token is { } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        // Headers only: a live feed (server-sent events) answers 200 and then never ends; disposing the answer closes it.
        return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<string> CreateKeyAsync(string grant, DateTimeOffset? expiresAt = null)
    {
        using var response = await _host.Http.PostAsJsonAsync("/api/keys", new { name = $"test {grant}", grants = new[] { grant }, expiresAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static Credential Key(string key, IReadOnlyList<string> grants) => new(key, null, grants);

    private static string Token(RSA signer, string[] roles, DateTime expires)
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        return handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = "someone", ["roles"] = roles },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.RsaSecurityKey(signer), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>What a request carries: an API key, a bearer token, or nothing; and what it really grants (empty: nothing valid).</summary>
    private sealed record Credential(string? Key, string? Token, IReadOnlyList<string> Grants);
}
