using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// The keys a silo was given or made never appear in what it writes (its console and logs, at the most detailed
/// level), in its error answers or in <c>/metrics</c>, whatever is done with them: used, refused, revoked.
/// </summary>
public sealed class SecretsStayOutOfOutputTests : IAsyncLifetime
{
    private SiloProcess _silo = null!;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync("secrets", new Dictionary<string, string>
    {
        ["Logging:LogLevel:Default"] = "Trace",
    });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task KeysUsedRefusedAndRevoked_AppearInNoLogLineErrorBodyOrMetric()
    {
        var answers = new StringBuilder();
        using var created = await _silo.Http.PostAsJsonAsync("/api/keys", new { name = "gateway", grants = new[] { "ingest:secrets" } });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("details").GetProperty("id").GetString()!;
        var secretOfKey = key[(4 + 16 + 1)..];

        async Task SendAsync(HttpMethod method, string path, string credential, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add(SiloProcess.ApiKeyHeader, credential);
            using var client = new HttpClient { BaseAddress = _silo.Http.BaseAddress };
            using var response = await client.SendAsync(request);
            answers.AppendLine($"{(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync()}");
        }

        var telemetry = $$"""{"fleetId":"secrets","deviceId":"d","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[1]}""";
        await SendAsync(HttpMethod.Post, "/api/telemetry", key, new StringContent(telemetry, Encoding.UTF8, "application/json"));
        await SendAsync(HttpMethod.Get, "/api/fleets/secrets", key); // 403: the key only ingests
        await SendAsync(HttpMethod.Get, "/api/fleets", key[..^1] + (key[^1] == 'A' ? 'B' : 'A')); // a wrong secret
        await SendAsync(HttpMethod.Get, "/api/fleets", SiloProcess.AdminKey + "x"); // not the admin key
        Assert.Equal(HttpStatusCode.OK, (await _silo.Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        await SendAsync(HttpMethod.Get, "/api/fleets", key); // revoked
        answers.AppendLine(await _silo.Http.GetStringAsync("/metrics"));
        answers.AppendLine(await _silo.Http.GetStringAsync("/api/keys"));
        await _silo.StopAsync();

        var written = _silo.Output;
        Assert.Contains("dbug:", written, StringComparison.Ordinal); // the most detailed logs were on
        foreach (var (name, secret) in new[] { ("the admin key", SiloProcess.AdminKey), ("the created key's secret", secretOfKey) })
        {
            Assert.False(written.Contains(secret, StringComparison.Ordinal), $"{name} is in the silo's output");
            Assert.False(answers.ToString().Contains(secret, StringComparison.Ordinal), $"{name} is in an answer");
        }
    }
}
