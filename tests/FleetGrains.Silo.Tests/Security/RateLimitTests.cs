using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Silo.Security;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>Rate limits per credential: a burst past the budget gets 429s, another credential does not, the next window is served.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const int Budget = 5;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private SiloHost _host = null!;

    public async Task InitializeAsync() => _host = await SiloHost.StartAsync(new Dictionary<string, string?>
    {
        ["Fleet:Security:RateLimits:ApiPerWindow"] = Budget.ToString(),
        ["Fleet:Security:RateLimits:IngestPerWindow"] = Budget.ToString(),
        ["Fleet:Security:RateLimits:Window"] = Window.ToString(),
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ABurstPastTheBudget_Gets429WithRetryAfter_OtherCredentialsAreServed_AndTheNextWindowIsServed()
    {
        // Fresh keys: each credential's window starts with its first request.
        var burst = await CreateKeyAsync("burst");
        var other = await CreateKeyAsync("other");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Budget + 3; i++)
        {
            var response = await GetFleetsAsync(burst);
            statuses.Add(response.StatusCode);
            refused ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        var otherStatus = (await GetFleetsAsync(other)).StatusCode;

        Assert.Equal(Budget, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), Window);
        Assert.Equal(HttpStatusCode.OK, otherStatus);

        // Telemetry has its own budget: the credential's spent API budget does not stop its ingestion.
        using var ingest = new HttpRequestMessage(HttpMethod.Post, "/api/telemetry")
        {
            Content = new StringContent($$"""{"fleetId":"limits","deviceId":"d","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[1]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        ingest.Headers.Add(ApiKeyAuthenticationHandler.Header, burst);
        Assert.Equal(HttpStatusCode.Accepted, (await _host.Http.SendAsync(ingest)).StatusCode);

        await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(300));
        Assert.Equal(HttpStatusCode.OK, (await GetFleetsAsync(burst)).StatusCode);
    }

    private async Task<string> CreateKeyAsync(string name)
    {
        using var created = await _host.Http.PostAsJsonAsync("/api/keys", new { name, grants = new[] { "viewer:*", "ingest:*" } });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private async Task<HttpResponseMessage> GetFleetsAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/fleets");
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, key);
        return await _host.Http.SendAsync(request);
    }
}
