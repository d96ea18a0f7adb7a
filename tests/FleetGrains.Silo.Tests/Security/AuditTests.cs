using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetGrains.Silo.Security;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>
/// The audit log: who changed what, on which fleet and device, with the values before and after; all of it for
/// admins of every fleet, a fleet's own for its operators (and nobody else); bounded per fleet and in all.
/// </summary>
public sealed class AuditTests : IAsyncLifetime
{
    private const string Fleet = "audit-a";
    private const string OtherFleet = "audit-b";
    private SiloHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Audit:MaxEntries"] = "6",
            ["Fleet:Audit:MaxEntriesPerFleet"] = "3",
        });
        foreach (var fleet in new[] { Fleet, OtherFleet })
        {
            var body = $$"""{"fleetId":"{{fleet}}","deviceId":"d1","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":0,"values":[1,2]}""";
            Assert.Equal(HttpStatusCode.Accepted, (await _host.Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
            await _host.EventuallyAsync<JsonElement>($"/api/devices/{fleet}/d1", _ => true);
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task APinnedThreshold_IsRecorded_WithWhoAndTheValuesBeforeAndAfter()
    {
        var (operatorKey, operatorId) = await CreateKeyAsync($"operator:{Fleet}");

        using var pin = await SendAsync(HttpMethod.Put, $"/api/devices/{Fleet}/d1/threshold", operatorKey, """{"value": 3.5}""");
        Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
        using var unpin = await SendAsync(HttpMethod.Put, $"/api/devices/{Fleet}/d1/threshold", operatorKey, """{"value": null}""");
        Assert.Equal(HttpStatusCode.OK, unpin.StatusCode);

        var entries = await ReadAsync($"/api/fleets/{Fleet}/audit", operatorKey);
        var (newest, older) = (entries[0], entries[1]);
        Assert.Equal(("PinDeviceThreshold", $"apikey:{operatorId}", "test operator:" + Fleet), (older.GetProperty("action").GetString(), older.GetProperty("actor").GetString(), older.GetProperty("actorName").GetString()));
        Assert.Equal((Fleet, "d1", "127.0.0.1"), (older.GetProperty("fleetId").GetString(), older.GetProperty("deviceId").GetString(), older.GetProperty("from").GetString()));
        Assert.Equal(JsonValueKind.Null, older.GetProperty("before").GetProperty("pinned").ValueKind);
        Assert.Equal(3.5, older.GetProperty("after").GetProperty("pinned").GetDouble());
        Assert.Equal(3.5, newest.GetProperty("before").GetProperty("pinned").GetDouble());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("after").GetProperty("pinned").ValueKind);
        Assert.True(newest.GetProperty("at").GetDateTimeOffset() >= older.GetProperty("at").GetDateTimeOffset());

        // The whole log, for admins of every fleet, has the same entries; a device filter narrows it.
        var all = await ReadAsync($"/api/audit?fleetId={Fleet}&deviceId=d1", SiloHost.AdminKey);
        Assert.Equal(entries.Take(2).Select(e => e.GetProperty("at").GetDateTimeOffset()), all.Take(2).Select(e => e.GetProperty("at").GetDateTimeOffset()));
        Assert.Empty(await ReadAsync($"/api/fleets/{Fleet}/audit?deviceId=nobody", operatorKey));
    }

    [Fact]
    public async Task KeysMadeAndRevoked_AreRecordedAsClusterActions_WithoutTheKey()
    {
        var (key, id) = await CreateKeyAsync($"viewer:{Fleet}");
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.DeleteAsync($"/api/keys/{id}")).StatusCode); // revoked already: nothing changes

        var entries = await ReadAsync("/api/audit", SiloHost.AdminKey);
        var revoke = entries[0];
        var create = entries[1];
        Assert.Equal(("RevokeApiKey", id, "apikey:admin"), (revoke.GetProperty("action").GetString(), revoke.GetProperty("target").GetString(), revoke.GetProperty("actor").GetString()));
        Assert.Equal(JsonValueKind.Null, revoke.GetProperty("before").GetProperty("revokedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, revoke.GetProperty("after").GetProperty("revokedAt").ValueKind);
        Assert.Equal(("CreateApiKey", id, JsonValueKind.Null), (create.GetProperty("action").GetString(), create.GetProperty("target").GetString(), create.GetProperty("fleetId").ValueKind));
        Assert.Equal([$"viewer:{Fleet}"], create.GetProperty("after").GetProperty("grants").EnumerateArray().Select(g => g.GetString()));
        Assert.DoesNotContain(key[21..], JsonSerializer.Serialize(entries), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorsReadTheirOwnFleetsLog_NotAnothersNorTheWholeLog()
    {
        var (operatorKey, _) = await CreateKeyAsync($"operator:{Fleet}");
        var (viewerKey, _) = await CreateKeyAsync($"viewer:{Fleet}");
        using var pinOther = await SendAsync(HttpMethod.Put, $"/api/devices/{OtherFleet}/d1/threshold", SiloHost.AdminKey, """{"value": 2}""");
        Assert.Equal(HttpStatusCode.OK, pinOther.StatusCode);

        Assert.DoesNotContain(await ReadAsync($"/api/fleets/{Fleet}/audit", operatorKey), e => e.GetProperty("fleetId").GetString() == OtherFleet);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/fleets/{OtherFleet}/audit", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/audit", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, $"/api/fleets/{Fleet}/audit", viewerKey)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, "/api/audit?count=0", SiloHost.AdminKey)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, "/api/audit?deviceId=bad%20id", SiloHost.AdminKey)).StatusCode);
    }

    [Fact]
    public async Task TheLog_KeepsTheNewestEntries_PerFleetAndInAll()
    {
        for (var i = 1; i <= 5; i++)
        {
            using var pin = await SendAsync(HttpMethod.Put, $"/api/devices/{Fleet}/d1/threshold", SiloHost.AdminKey, $$"""{"value": {{i}}}""");
            Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
        }

        for (var i = 1; i <= 4; i++)
        {
            using var pin = await SendAsync(HttpMethod.Put, $"/api/devices/{OtherFleet}/d1/threshold", SiloHost.AdminKey, $$"""{"value": {{10 + i}}}""");
            Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
        }

        double[] Pins(JsonElement[] entries) => [.. entries.Select(e => e.GetProperty("after").GetProperty("pinned").GetDouble())];
        var fleet = Pins(await ReadAsync($"/api/fleets/{Fleet}/audit?count=100", SiloHost.AdminKey));
        var other = Pins(await ReadAsync($"/api/fleets/{OtherFleet}/audit?count=100", SiloHost.AdminKey));
        var all = Pins(await ReadAsync("/api/audit?count=100", SiloHost.AdminKey));

        Assert.Equal([5, 4, 3], fleet);
        Assert.Equal([14, 13, 12], other);
        Assert.Equal([14, 13, 12, 11, 5, 4], all);
    }

    private async Task<JsonElement[]> ReadAsync(string path, string key)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement[]>())!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_host.BaseAddress, path));
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var client = new HttpClient();
        return await client.SendAsync(request);
    }

    private async Task<(string Key, string Id)> CreateKeyAsync(string grant)
    {
        using var response = await _host.Http.PostAsJsonAsync("/api/keys", new { name = $"test {grant}", grants = new[] { grant } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("key").GetString()!, body.GetProperty("details").GetProperty("id").GetString()!);
    }
}
