using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// The secrets a silo was given or made — API keys, bearer tokens, the Redis password in its connection string —
/// never appear in what it writes (its console and logs, at the most detailed level), in its error answers or in
/// <c>/metrics</c>, whatever is done with them: used, refused, revoked.
/// </summary>
public sealed class SecretsStayOutOfOutputTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.secrets.test";
    private const string Audience = "fleetgrains";
    private readonly string _redisPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly RSA _issuerKey = RSA.Create(2048);
    private readonly string _issuerKeyFile = Path.GetTempFileName();
    private RedisServer _redis = null!;
    private SiloProcess _silo = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_issuerKeyFile, _issuerKey.ExportSubjectPublicKeyInfoPem());
        _redis = await RedisServer.StartNewAsync(moreArguments: _ => ["--requirepass", _redisPassword]);
        var settings = ClusterHarness.RedisCluster(_redis, $"secrets-{Guid.NewGuid():N}", streams: false);
        settings["Fleet:Cluster:Redis"] = $"{_redis.ConnectionString},password={_redisPassword}"; // as the chart's Redis Secret holds it
        settings["Logging:LogLevel:Default"] = "Trace";
        settings["Fleet:Security:Jwt:SigningKeyFile"] = _issuerKeyFile;
        settings["Fleet:Security:Jwt:Issuer"] = Issuer;
        settings["Fleet:Security:Jwt:Audience"] = Audience;
        _silo = await SiloProcess.StartAsync("secrets", settings);
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _redis.DisposeAsync();
        _issuerKey.Dispose();
        File.Delete(_issuerKeyFile);
    }

    [Fact]
    public async Task KeysUsedRefusedAndRevoked_AppearInNoLogLineErrorBodyOrMetric()
    {
        var answers = new StringBuilder();
        using var created = await _silo.Http.PostAsJsonAsync("/api/keys", new { name = "gateway", grants = new[] { "ingest:secrets" } });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("details").GetProperty("id").GetString()!;
        var secretOfKey = key[(4 + 16 + 1)..];

        async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string credential, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            if (credential.StartsWith("eyJ", StringComparison.Ordinal))
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credential);
            }
            else
            {
                request.Headers.Add(SiloProcess.ApiKeyHeader, credential);
            }

            using var client = new HttpClient { BaseAddress = _silo.Http.BaseAddress };
            using var response = await client.SendAsync(request);
            answers.AppendLine($"{(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync()}");
            return response.StatusCode;
        }

        var telemetry = $$"""{"fleetId":"secrets","deviceId":"d","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[1]}""";
        await SendAsync(HttpMethod.Post, "/api/telemetry", key, new StringContent(telemetry, Encoding.UTF8, "application/json"));
        await SendAsync(HttpMethod.Get, "/api/fleets/secrets", key); // 403: the key only ingests
        await SendAsync(HttpMethod.Get, "/api/fleets", key[..^1] + (key[^1] == 'A' ? 'B' : 'A')); // a wrong secret
        await SendAsync(HttpMethod.Get, "/api/fleets", SiloProcess.AdminKey + "x"); // not the admin key
        Assert.Equal(HttpStatusCode.OK, (await _silo.Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        await SendAsync(HttpMethod.Get, "/api/fleets", key); // revoked
        var token = Token(DateTimeOffset.UtcNow.AddMinutes(5));
        var expired = Token(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/fleets", token));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Get, "/api/fleets/secrets", token)); // no grant on it
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/fleets", expired));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/fleets", token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"))); // a broken signature
        answers.AppendLine(await _silo.Http.GetStringAsync("/metrics"));
        answers.AppendLine(await _silo.Http.GetStringAsync("/api/keys"));
        await _silo.StopAsync();

        var written = _silo.Output;
        Assert.Contains("dbug:", written, StringComparison.Ordinal); // the most detailed logs were on
        var secrets = new[]
        {
            ("the admin key", SiloProcess.AdminKey), ("the created key's secret", secretOfKey), ("the Redis password", _redisPassword),
            ("a token's signature", token[(token.LastIndexOf('.') + 1)..]), ("an expired token's signature", expired[(expired.LastIndexOf('.') + 1)..]),
        };
        foreach (var (name, secret) in secrets)
        {
            Assert.False(written.Contains(secret, StringComparison.Ordinal), $"{name} is in the silo's output");
            Assert.False(answers.ToString().Contains(secret, StringComparison.Ordinal), $"{name} is in an answer");
        }
    }

    // A JWT as an identity provider signs it (RS256), made by hand: this project does not reference the token libraries.
    private string Token(DateTimeOffset expires)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Issuer, aud = Audience, sub = "operator-7", roles = new[] { "viewer:elsewhere" },
            nbf = expires.AddMinutes(-30).ToUnixTimeSeconds(), iat = expires.AddMinutes(-30).ToUnixTimeSeconds(), exp = expires.ToUnixTimeSeconds(),
        }));
        var signature = _issuerKey.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Encode(signature)}";
    }
}
