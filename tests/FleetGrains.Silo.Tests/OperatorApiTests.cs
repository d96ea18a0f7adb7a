using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Abstractions;

namespace FleetGrains.Silo.Tests;

[Collection(SiloHostCollection.Name)]
public class OperatorApiTests(SiloHostFixture fixture)
{
    private HttpClient Http => fixture.Host.Http;

    /// <summary>Three calibrated devices in a fresh fleet: two normal, one driven Critical.</summary>
    private async Task<string> SeedFleetAsync(string fleetId)
    {
        foreach (var (device, seed) in new[] { ("a", 1), ("b", 2), ("bad", 3) })
        {
            var response = await Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise(fleetId, device, 0, 30, 2, seed)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var anomalies = Enumerable.Range(30, 3).Select(seq => Telemetry.Event(fleetId, "bad", seq, 500f, 500f));
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(anomalies))).StatusCode);
        return fleetId;
    }

    [Fact]
    public async Task DeviceScores_AreItsRecentScorings_OldestFirst_WithTheThresholdInForce()
    {
        var fleetId = await SeedFleetAsync("ops-scores");

        // Scored from seq 5 (after 5 warm-up samples); the threshold is learned from the first 10 scores.
        var all = await fixture.Host.GetJsonAsync<DeviceScoreHistory>($"/api/devices/{fleetId}/bad/scores");
        Assert.Equal(("statistical", 32), (all.Scorer, all.Capacity));
        Assert.Equal(Enumerable.Range(5, 28).Select(s => (long)s), all.Points.Select(p => p.Seq));
        Assert.All(all.Points, p => Assert.Null(p.Rul));
        Assert.Null(all.Points.Single(p => p.Seq == 13).Threshold);
        Assert.NotNull(all.Points.Single(p => p.Seq == 14).Threshold);
        Assert.True(all.Points[^1].Score > all.Points[^1].Threshold);

        var newest = await fixture.Host.GetJsonAsync<DeviceScoreHistory>($"/api/devices/{fleetId}/bad/scores?after=30");
        Assert.Equal([31L, 32L], newest.Points.Select(p => p.Seq));

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/devices/{fleetId}/nobody/scores")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/api/devices/{fleetId}/bad/scores?after=-2")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/api/devices/{fleetId}/bad/scores?after=soon")).StatusCode);
    }

    [Fact]
    public async Task Fleets_ListsTheFleet_WithCountsPerHealthState()
    {
        var fleetId = await SeedFleetAsync("ops-list");

        var fleets = await fixture.Host.EventuallyAsync<FleetSummary[]>(
            "/api/fleets",
            all => all.Any(f => f.FleetId == fleetId && f.Counts[HealthState.Critical] == 1 && f.Counts[HealthState.Healthy] == 2));

        Assert.Equal(3, fleets.Single(f => f.FleetId == fleetId).DeviceCount);
    }

    [Fact]
    public async Task Fleet_Rollup_NamesTheWorstDeviceFirst()
    {
        var fleetId = await SeedFleetAsync("ops-rollup");

        var rollup = await fixture.Host.EventuallyAsync<FleetRollup>($"/api/fleets/{fleetId}", r => r.Counts[HealthState.Critical] == 1);

        Assert.Equal("bad", rollup.Worst[0].DeviceId);
        Assert.Equal(HealthState.Critical, rollup.Worst[0].Health);
        Assert.Equal(0, rollup.OfflineCount);
        Assert.NotNull(rollup.LastUpdated);
    }

    [Fact]
    public async Task FleetDevices_FilterByState_SortAndPage()
    {
        var fleetId = await SeedFleetAsync("ops-devices");
        await fixture.Host.EventuallyAsync<DevicePage>($"/api/fleets/{fleetId}/devices", p => p.Total == 3 && p.Devices[0].Health == HealthState.Critical);

        var healthy = await fixture.Host.GetJsonAsync<DevicePage>($"/api/fleets/{fleetId}/devices?state=healthy&sort=deviceId");
        var secondPage = await fixture.Host.GetJsonAsync<DevicePage>($"/api/fleets/{fleetId}/devices?sort=deviceId&offset=1&limit=1");

        Assert.Equal(["a", "b"], healthy.Devices.Select(d => d.DeviceId));
        Assert.Equal(2, healthy.Total);
        Assert.Equal("b", secondPage.Devices.Single().DeviceId);
        Assert.Equal(3, secondPage.Total);
        Assert.Equal(1, secondPage.Offset);
    }

    [Theory]
    [InlineData("state=broken", "state")]
    [InlineData("sort=colour", "sort")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5000", "limit")]
    [InlineData("offset=-1", "limit")]
    public async Task FleetDevices_BadQuery_Returns400ValidationProblem(string query, string field)
    {
        var fleetId = await SeedFleetAsync($"ops-bad-{field}-{Math.Abs(query.GetHashCode()) % 1000}");

        var response = await Http.GetAsync($"/api/fleets/{fleetId}/devices?{query}");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Device_ShowsHealthScoreThresholdContributorsAndCounters()
    {
        var fleetId = await SeedFleetAsync("ops-device");

        var device = await fixture.Host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{fleetId}/bad");

        Assert.Equal(HealthState.Critical, device.Health);
        Assert.True(device.Score > device.Threshold.Effective);
        Assert.NotNull(device.Threshold.Learned);
        Assert.NotEmpty(device.TopContributors);
        Assert.Equal(33, device.Counters.Accepted);
        Assert.Equal(32, device.LastSeq);
        Assert.NotNull(device.LastSeen);
    }

    [Fact]
    public async Task DeviceTelemetry_ReturnsTheWindowOldestFirst()
    {
        await Http.PostAsync("/api/telemetry", Telemetry.Array(Enumerable.Range(0, 70).Select(i => Telemetry.Event("ops-window", "d", i, i, -i))));

        var window = await fixture.Host.GetJsonAsync<TelemetryWindow>("/api/devices/ops-window/d/telemetry");

        Assert.Equal(64, window.WindowSize);
        Assert.Equal(64, window.Samples.Count);
        Assert.Equal([6f, -6f], window.Samples[0].Values);
        Assert.Equal([69f, -69f], window.Samples[^1].Values);
    }

    [Fact]
    public async Task Threshold_PinAndUnpin()
    {
        var fleetId = await SeedFleetAsync("ops-threshold");

        var pinned = await Http.PutAsJsonAsync($"/api/devices/{fleetId}/a/threshold", new { value = 42.5 });
        var pinnedDevice = (await pinned.Content.ReadFromJsonAsync<DeviceSnapshot>(SiloHost.Json))!;
        var unpinned = await Http.PutAsJsonAsync($"/api/devices/{fleetId}/a/threshold", new { value = (float?)null });
        var unpinnedDevice = (await unpinned.Content.ReadFromJsonAsync<DeviceSnapshot>(SiloHost.Json))!;

        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(42.5f, pinnedDevice.Threshold.Effective);
        Assert.Equal(42.5f, pinnedDevice.Threshold.Pinned);
        Assert.Null(unpinnedDevice.Threshold.Pinned);
        Assert.Equal(unpinnedDevice.Threshold.Learned, unpinnedDevice.Threshold.Effective);
    }

    [Theory]
    [InlineData("""{"value": -1}""", HttpStatusCode.BadRequest, "positive finite number")]
    [InlineData("""{"value": "high"}""", HttpStatusCode.BadRequest, "Send {\"value\"")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "Send {\"value\"")]
    [InlineData("""{"value": 1""", HttpStatusCode.BadRequest, "Send {\"value\"")]
    public async Task Threshold_BadBody_Returns400(string body, HttpStatusCode status, string message)
    {
        var fleetId = await SeedFleetAsync($"ops-pin-{Math.Abs(body.GetHashCode()) % 1000}");

        var response = await Http.PutAsync($"/api/devices/{fleetId}/a/threshold", Telemetry.Raw(body));

        var problem = await ProblemAssert.IsProblemAsync(response, status);
        Assert.Contains(message, problem.Messages());
    }

    [Fact]
    public async Task UnknownDeviceOrFleet_Returns404Problem()
    {
        var device = await ProblemAssert.IsProblemAsync(await Http.GetAsync("/api/devices/nowhere/nothing"), HttpStatusCode.NotFound);
        var window = await ProblemAssert.IsProblemAsync(await Http.GetAsync("/api/devices/nowhere/nothing/telemetry"), HttpStatusCode.NotFound);
        var pin = await ProblemAssert.IsProblemAsync(await Http.PutAsJsonAsync("/api/devices/nowhere/nothing/threshold", new { value = 1 }), HttpStatusCode.NotFound);
        var fleet = await ProblemAssert.IsProblemAsync(await Http.GetAsync("/api/fleets/nowhere"), HttpStatusCode.NotFound);
        var devices = await ProblemAssert.IsProblemAsync(await Http.GetAsync("/api/fleets/nowhere/devices"), HttpStatusCode.NotFound);

        Assert.Contains("never sent accepted telemetry", device.Detail());
        Assert.Contains("never sent accepted telemetry", window.Detail());
        Assert.Contains("never sent accepted telemetry", pin.Detail());
        Assert.Contains("No device of fleet 'nowhere'", fleet.Detail());
        Assert.Contains("No device of fleet 'nowhere'", devices.Detail());
    }

    [Fact]
    public async Task InvalidIds_Return400ValidationProblem()
    {
        var response = await Http.GetAsync("/api/devices/fleet%20a/d%24");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("fleetId", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("deviceId", out _));
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        await ProblemAssert.IsProblemAsync(await Http.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound);
    }
}
