using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.LocalServers;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>API keys across a cluster: made on one silo, accepted by another, revoked on the first, refused by both.</summary>
public sealed class KeyLifecycleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        var settings = ClusterHarness.RedisCluster(_redis, $"keys-{Guid.NewGuid():N}", streams: false);
        foreach (var name in new[] { "silo0", "silo1" })
        {
            _silos.Add(await SiloProcess.StartAsync(name, settings));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AKeyMadeOnOneSilo_WorksOnTheOther_AndARevokedOne_IsRefusedByBothWithinTheCacheDuration()
    {
        using var created = await _silos[0].Http.PostAsJsonAsync("/api/keys", new { name = "script", grants = new[] { "viewer:*" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("details").GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(_silos[1], key));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(_silos[0], key));

        Assert.Equal(HttpStatusCode.OK, (await _silos[0].Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        var revokedAt = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(_silos[0], key)); // the revoking silo: at once
        while (await StatusWithAsync(_silos[1], key) != HttpStatusCode.Unauthorized)
        {
            Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(8), "the other silo still accepts the revoked key after 8 s (cache: 5 s)");
            await Task.Delay(100);
        }

        output.WriteLine($"revoked on silo0: refused there at once, on silo1 after {revokedAt.Elapsed.TotalSeconds:F1} s (Fleet:Security:KeyCacheDuration 5 s)");
    }

    [Fact]
    public async Task TheAuditLog_IsInRedis_SoEverySiloShowsWhatAnotherDid()
    {
        using var created = await _silos[0].Http.PostAsJsonAsync("/api/keys", new { name = "audited", grants = new[] { "operator:plant" } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _silos[0].Http.DeleteAsync($"/api/keys/{id}")).StatusCode);

        var entries = await _silos[1].GetJsonAsync<JsonElement[]>("/api/audit");

        Assert.Equal(["RevokeApiKey", "CreateApiKey"], entries.Take(2).Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries.Take(2), e => Assert.Equal(id, e.GetProperty("target").GetString()));
        await using var redis = await ClusterHarness.ConnectAsync(_redis);
        Assert.Equal(2, await redis.GetDatabase().StreamLengthAsync("fleetgrains:audit"));
    }

    private static async Task<HttpStatusCode> StatusWithAsync(SiloProcess silo, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/fleets");
        request.Headers.Add(SiloProcess.ApiKeyHeader, key);
        using var client = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
