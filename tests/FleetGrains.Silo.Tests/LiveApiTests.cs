using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Silo.Api;

namespace FleetGrains.Silo.Tests;

/// <summary>What the dashboard reads beside the older endpoints: live feeds, the caller, device search.</summary>
[Collection(SiloHostCollection.Name)]
public class LiveApiTests(SiloHostFixture fixture)
{
    private HttpClient Http => fixture.Host.Http;

    private async Task SeedAsync(string fleetId, params string[] devices)
    {
        foreach (var (device, i) in devices.Select((d, i) => (d, i)))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise(fleetId, device, 0, 30, 2, i)))).StatusCode);
        }

        await fixture.Host.EventuallyAsync<FleetRollup>($"/api/fleets/{fleetId}", r => r.DeviceCount == devices.Length);
    }

    [Fact]
    public async Task AFleetsRate_IsTheEventsItsDevicesAcceptedPerSecond_AndFallsToZeroWhenTheyStop()
    {
        await SeedAsync("live-rate", "d1", "d2");
        var seq = 30L;
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(2.5);
        while (DateTime.UtcNow < stop)
        {
            // 100 events a send, ten sends a second: ~1,000 events/s
            var events = Enumerable.Range(0, 50).SelectMany(i => new[] { Telemetry.Event("live-rate", "d1", seq + i, 1f, 2f), Telemetry.Event("live-rate", "d2", seq + i, 1f, 2f) });
            Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(events))).StatusCode);
            seq += 50;
            await Task.Delay(100);
        }

        var busy = await fixture.Host.GetJsonAsync<FleetRollup>("/api/fleets/live-rate");
        var listed = (await fixture.Host.GetJsonAsync<FleetSummary[]>("/api/fleets")).Single(f => f.FleetId == "live-rate");
        Assert.InRange(busy.EventsPerSecond, 100, 5_000);
        Assert.InRange(listed.EventsPerSecond, 100, 5_000);
        await fixture.Host.EventuallyAsync<FleetRollup>("/api/fleets/live-rate", r => r.EventsPerSecond == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AFleetsArrivalLag_IsHowLateItsEventsArrive()
    {
        await SeedAsync("live-lag", "d1");
        var seq = 30L;
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(2.5);
        while (DateTime.UtcNow < stop)
        {
            // each event stamped 5 s before it is sent: a source five seconds behind
            var sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var events = Enumerable.Range(0, 20).Select(i =>
            {
                var e = Telemetry.Event("live-lag", "d1", seq + i, 1f, 2f);
                e["ts"] = sentAt - 5_000 + i;
                return e;
            });
            Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(events))).StatusCode);
            seq += 20;
            await Task.Delay(100);
        }

        var rollup = await fixture.Host.GetJsonAsync<FleetRollup>("/api/fleets/live-lag");
        Assert.InRange(rollup.ArrivalLagSeconds!.Value, 4.0, 8.0);
    }

    [Fact]
    public async Task DeviceFeed_SendsTheSnapshotAtOnce_ThenEachChange()
    {
        await SeedAsync("live-device", "d1");
        using var response = await Http.GetAsync("/api/devices/live-device/d1/live", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("device", events.Current.EventType);
        var first = JsonSerializer.Deserialize<DeviceSnapshot>(events.Current.Data, SiloHost.Json)!;
        Assert.Equal(("d1", (float?)null), (first.DeviceId, first.Threshold.Pinned));

        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync("/api/devices/live-device/d1/threshold", new { value = 4.5 })).StatusCode);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(timeout.Token));
        Assert.Equal(4.5f, JsonSerializer.Deserialize<DeviceSnapshot>(events.Current.Data, SiloHost.Json)!.Threshold.Pinned);
        Assert.Equal("2", events.Current.EventId);
    }

    [Fact]
    public async Task FleetFeed_SendsTheRollup()
    {
        await SeedAsync("live-fleet", "a", "b");
        using var response = await Http.GetAsync("/api/fleets/live-fleet/live", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        await using var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("rollup", events.Current.EventType);
        Assert.Equal(2, JsonSerializer.Deserialize<FleetRollup>(events.Current.Data, SiloHost.Json)!.DeviceCount);
    }

    [Fact]
    public async Task Feeds_OfUnknownFleetsAndDevices_Are404_AndBadIds400()
    {
        await SeedAsync("live-known", "d1");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/fleets/never-seen/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/devices/live-known/nobody/live")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/devices/live-known/bad%20id/live")).StatusCode);
    }

    [Fact]
    public async Task Me_SaysWhoTheCallerIs_AndItsGrants()
    {
        var me = await fixture.Host.GetJsonAsync<CallerDescription>("/api/me");
        Assert.Equal(["admin:*"], me.Grants);
        Assert.True(me.ClusterAdmin);
        Assert.False(string.IsNullOrEmpty(me.Name));

        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task DeviceSearch_KeepsIdsContainingTheText_IgnoringCase()
    {
        await SeedAsync("live-search", "pump-1", "pump-2", "valve-1");
        var page = await fixture.Host.GetJsonAsync<DevicePage>("/api/fleets/live-search/devices?search=PUMP&sort=DeviceId");
        Assert.Equal(2, page.Total);
        Assert.Equal(["pump-1", "pump-2"], page.Devices.Select(d => d.DeviceId));
        Assert.Equal(["pump-1", "valve-1"], (await fixture.Host.GetJsonAsync<DevicePage>("/api/fleets/live-search/devices?search=-1&sort=DeviceId")).Devices.Select(d => d.DeviceId));

        var tooLong = await Http.GetAsync($"/api/fleets/live-search/devices?search={new string('x', FleetEndpoints.MaxSearchLength + 1)}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("search", await tooLong.Content.ReadAsStringAsync());
    }
}
