using System.Net;
using System.Net.Http.Json;
using FleetGrains.Abstractions;

namespace FleetGrains.Silo.Tests;

/// <summary>The alarm lifecycle: a device raises an episode; operators acknowledge and clear it, with who, when and why.</summary>
[Collection(SiloHostCollection.Name)]
public class AlarmApiTests(SiloHostFixture fixture)
{
    private HttpClient Http => fixture.Host.Http;

    /// <summary>Device "bad" of a fresh fleet raises one episode (Critical), device "ok" none.</summary>
    private async Task<AnomalyEpisode> RaiseAsync(string fleetId)
    {
        foreach (var (device, seed) in new[] { ("ok", 1), ("bad", 2) })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise(fleetId, device, 0, 30, 2, seed)))).StatusCode);
        }

        var spikes = Enumerable.Range(30, 4).Select(seq => Telemetry.Event(fleetId, "bad", seq, 500f, 500f));
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(spikes))).StatusCode);
        var page = await fixture.Host.EventuallyAsync<AnomalyPage>($"/api/fleets/{fleetId}/anomalies", p => p.Episodes.Any(e => e.DeviceId == "bad"));
        return page.Episodes.Single();
    }

    [Fact]
    public async Task AnAlarm_IsActive_ThenAcknowledged_ThenCleared_WithWhoWhenAndWhy()
    {
        var episode = await RaiseAsync("alarm-life");
        Assert.Equal(AlarmStatus.Active, episode.Status);
        var path = $"/api/fleets/alarm-life/anomalies/bad/{episode.StartSeq}";

        var acknowledged = await Http.PostAsJsonAsync($"{path}/acknowledge", new { comment = "looking at it" });
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var after = (await acknowledged.Content.ReadFromJsonAsync<AnomalyEpisode>(SiloHost.Json))!;
        Assert.Equal((AlarmStatus.Acknowledged, "looking at it"), (after.Status, after.Acknowledged!.Comment));
        Assert.False(string.IsNullOrEmpty(after.Acknowledged.By));
        Assert.True(DateTimeOffset.UtcNow - after.Acknowledged.At < TimeSpan.FromMinutes(1));

        var again = await Http.PostAsJsonAsync($"{path}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already acknowledged by", await again.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsJsonAsync($"{path}/clear", new { })).StatusCode);
        var page = await fixture.Host.GetJsonAsync<AnomalyPage>("/api/fleets/alarm-life/anomalies?status=Cleared");
        var cleared = Assert.Single(page.Episodes);
        Assert.Equal((AlarmStatus.Cleared, "looking at it", (string?)null), (cleared.Status, cleared.Acknowledged?.Comment, cleared.Cleared!.Comment));
        Assert.Equal((0, 0, 1), (page.ByStatus[AlarmStatus.Active], page.ByStatus[AlarmStatus.Acknowledged], page.ByStatus[AlarmStatus.Cleared]));
        Assert.Empty((await fixture.Host.GetJsonAsync<AnomalyPage>("/api/fleets/alarm-life/anomalies?status=Active")).Episodes);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsJsonAsync($"{path}/clear", new { })).StatusCode);

        var audit = await fixture.Host.GetJsonAsync<System.Text.Json.JsonElement[]>("/api/fleets/alarm-life/audit?deviceId=bad");
        Assert.Equal(["ClearAnomaly", "AcknowledgeAnomaly"], audit.Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task WhatOperatorsDid_SurvivesTheDevicesLaterRecordsOfTheEpisode()
    {
        var episode = await RaiseAsync("alarm-keep");
        Assert.True(episode.Open);
        var path = $"/api/fleets/alarm-keep/anomalies/bad/{episode.StartSeq}";
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsJsonAsync($"{path}/acknowledge", new { comment = "seen" })).StatusCode);

        // Normal samples end the episode: the device records it again, ended.
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise("alarm-keep", "bad", 34, 40, 2, 7)))).StatusCode);
        var page = await fixture.Host.EventuallyAsync<AnomalyPage>("/api/fleets/alarm-keep/anomalies", p => !p.Episodes.Single().Open);
        Assert.Equal("seen", page.Episodes.Single().Acknowledged?.Comment);
    }

    [Fact]
    public async Task BadAlarmRequests_AreRefusedWithReasons()
    {
        var episode = await RaiseAsync("alarm-bad");
        var path = $"/api/fleets/alarm-bad/anomalies/bad/{episode.StartSeq}";
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync($"/api/fleets/alarm-bad/anomalies/bad/{episode.StartSeq + 1000}/acknowledge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync($"/api/fleets/alarm-bad/anomalies/bad/x/acknowledge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync($"{path}/acknowledge", new { comment = new string('c', 501) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync($"{path}/acknowledge", Telemetry.Raw("{\"comment\": "))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/fleets/alarm-bad/anomalies?status=Closed")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/fleets/alarm-bad/anomalies?severity=Healthy")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/fleets/never-seen/anomalies")).StatusCode);

        // Nothing of that changed the alarm.
        Assert.Equal(AlarmStatus.Active, (await fixture.Host.GetJsonAsync<AnomalyPage>("/api/fleets/alarm-bad/anomalies")).Episodes.Single().Status);
        Assert.Single((await fixture.Host.GetJsonAsync<AnomalyPage>("/api/fleets/alarm-bad/anomalies?severity=Critical&deviceId=bad")).Episodes);
    }
}
