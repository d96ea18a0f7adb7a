using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Tests;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// A silo whose fleet <c>ae</c> is scored by a small autoencoder from configuration: devices are scored
/// through the batcher and model host, learn thresholds on its scores, log anomalies, take feedback and
/// switch model versions at runtime. Each test uses its own devices.
/// </summary>
public sealed class ModelScoringApiTests : IAsyncLifetime, IDisposable
{
    private const string Fleet = "ae";
    private static readonly ModelRef Version1 = new("test-ae", 1);
    private static readonly ModelRef Version2 = new("test-ae", 2);

    private readonly TestModels _models = new();
    private SiloHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync()
    {
        _models.WriteAutoencoder(Version1, seed: 1);
        _models.WriteAutoencoder(Version2, seed: 2);
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            ["Fleet:Inference:ModelDirectory"] = _models.ModelDirectory,
            [$"Fleet:Models:Fleets:{Fleet}:Anomaly"] = Version1.Key,
            ["Fleet:Devices:ClearAfter"] = "100",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task TheClusterReport_ShowsTheSilo_AndTheModelHostsTheFleetsAreScoredOn()
    {
        const string fleet = "cluster-report";
        await SendNormalAsync("d1", 0, 2, fleet);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync($"/api/fleets/{fleet}/models", new { anomaly = Version2.Key })).StatusCode);
        await SendNormalAsync("d1", 2, 20, fleet);

        var models = await _host.GetJsonAsync<string[]>("/api/models");
        // The fleet is listed once its first shard reported (the rollup), a moment after its devices took events.
        var cluster = await _host.EventuallyAsync<JsonElement>("/api/cluster",
            c => c.GetProperty("modelHosts").EnumerateArray().Any(h => h.GetProperty("model").GetString() == Version2.Key));

        Assert.Equal([Version1.Key, Version2.Key], models);
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal(cluster.GetProperty("answeredBy").GetString(), silo.GetProperty("address").GetString());
        Assert.Equal(("Active", true, "cpu"), (silo.GetProperty("status").GetString(), silo.GetProperty("hostsModels").GetBoolean(), silo.GetProperty("accelerator").GetString()));
        var host = cluster.GetProperty("modelHosts").EnumerateArray().Single(h => h.GetProperty("model").GetString() == Version2.Key);
        Assert.Contains(fleet, host.GetProperty("fleets").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(silo.GetProperty("name").GetString(), host.GetProperty("siloName").GetString());
        var status = host.GetProperty("status");
        Assert.Equal(("Cpu", "Cpu"), (status.GetProperty("requestedProvider").GetString(), status.GetProperty("activeProvider").GetString()));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("fallbackReason").ValueKind);
        Assert.True(status.GetProperty("rows").GetInt64() >= 10, $"rows scored: {status.GetProperty("rows")}");
        Assert.Equal(JsonValueKind.Null, host.GetProperty("problem").ValueKind);
    }

    [Fact]
    public async Task Device_IsScoredByItsFleetsModel_AndItsAlarmIsLoggedWithTheModelVersion()
    {
        await SendNormalAsync("pump-1", 0, 20);
        var calibrated = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/pump-1");
        Assert.Equal(Version1.Key, calibrated.Scoring.Scorer);
        Assert.Equal((HealthState.Healthy, 19L), (calibrated.Health, calibrated.Counters.Scored)); // every sample once the 2-sample window is full
        Assert.True(calibrated.Threshold.Learned > 0f, $"learned on the model's scores: {calibrated.Threshold.Learned}");

        await SendAnomalousAsync("pump-1", 20, 4);

        var alarmed = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/pump-1");
        Assert.True(alarmed.Health >= HealthState.Warning, $"health {alarmed.Health}, score {alarmed.Score}, threshold {alarmed.Threshold.Effective}");
        var page = await _host.EventuallyAsync<AnomalyPage>($"/api/fleets/{Fleet}/anomalies", p => p.Episodes.Any(e => e.DeviceId == "pump-1"));
        var newest = page.Episodes.First(e => e.DeviceId == "pump-1");
        Assert.Equal(alarmed.Health, newest.Severity);
        Assert.Equal(Version1.Key, newest.Scorer);
        Assert.True(newest.PeakScore > newest.Threshold);
        Assert.InRange(newest.StartSeq, 20, 23);
        Assert.True(newest.Open);
        Assert.NotEmpty(newest.TopContributors);
        Assert.Equal(0, alarmed.Scoring.Failures);
    }

    [Fact]
    public async Task Anomalies_AreListedNewestFirst_AndPaged()
    {
        foreach (var device in new[] { "a-1", "a-2", "a-3" })
        {
            await SendNormalAsync(device, 0, 20);
            await SendAnomalousAsync(device, 20, 4);
        }

        var all = await _host.EventuallyAsync<AnomalyPage>($"/api/fleets/{Fleet}/anomalies?limit=1000", p => p.Episodes.Select(e => e.DeviceId).Distinct().Count(d => d.StartsWith("a-")) == 3);
        Assert.All(all.Episodes.Zip(all.Episodes.Skip(1)), pair => Assert.True(pair.First.RaisedAt >= pair.Second.RaisedAt, "newest first"));
        var second = await _host.GetJsonAsync<AnomalyPage>($"/api/fleets/{Fleet}/anomalies?offset=1&limit=1");
        Assert.Equal((all.Episodes[1].DeviceId, all.Episodes[1].StartSeq), (second.Episodes.Single().DeviceId, second.Episodes.Single().StartSeq));
        Assert.Equal((all.Total, 1), (second.Total, second.Offset));

        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/api/fleets/{Fleet}/anomalies?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/fleets/no-such-fleet/anomalies")).StatusCode);
    }

    [Fact]
    public async Task FalsePositiveFeedback_RaisesTheLearnedThreshold_BoundedAndRefusedWhileCalibrating()
    {
        await SendNormalAsync("fb-1", 0, 5);
        var early = await Http.PostAsJsonAsync($"/api/devices/{Fleet}/fb-1/feedback", new { kind = "false-positive" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("calibrating", await early.Content.ReadAsStringAsync());

        await SendNormalAsync("fb-1", 5, 15);
        await SendAnomalousAsync("fb-1", 20, 1);
        var before = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/fb-1");

        var response = await Http.PostAsJsonAsync($"/api/devices/{Fleet}/fb-1/feedback", new { kind = "false-positive" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = (await response.Content.ReadFromJsonAsync<FeedbackOutcome>(SiloHost.Json))!;
        Assert.Equal(before.Threshold.Learned, outcome.LearnedBefore);
        Assert.True(outcome.LearnedAfter > outcome.LearnedBefore, $"raised: {outcome.LearnedBefore} → {outcome.LearnedAfter}");
        Assert.Equal(1, outcome.Device.Threshold.FalsePositives);
        var audited = (await _host.GetJsonAsync<JsonElement[]>($"/api/fleets/{Fleet}/audit?deviceId=fb-1"))[0];
        Assert.Equal(("PostDeviceFeedback", "false-positive"), (audited.GetProperty("action").GetString(), audited.GetProperty("target").GetString()));
        Assert.Equal((outcome.LearnedBefore, outcome.LearnedAfter), (audited.GetProperty("before").GetProperty("learned").GetSingle(), audited.GetProperty("after").GetProperty("learned").GetSingle()));

        // Repeated feedback stops at 4 × the calibrated threshold (the default bound).
        HttpResponseMessage last;
        do
        {
            last = await Http.PostAsJsonAsync($"/api/devices/{Fleet}/fb-1/feedback", new { kind = "false-positive" });
        }
        while (last.StatusCode == HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
        var bounded = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/fb-1");
        Assert.Equal(4 * before.Threshold.Learned!.Value, bounded.Threshold.Learned!.Value, 3);

        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync($"/api/devices/{Fleet}/fb-1/feedback", new { kind = "great-catch" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync($"/api/devices/{Fleet}/fb-1/feedback", Telemetry.Raw("{"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync($"/api/devices/{Fleet}/nobody/feedback", new { kind = "false-positive" })).StatusCode);
    }

    [Fact]
    public async Task SwitchingTheFleetToAnotherVersion_KeepsWindows_AndLearnsNewThresholds()
    {
        var fleet = "switch";
        var put = await Http.PutAsJsonAsync($"/api/fleets/{fleet}/models", new { anomaly = Version1.Key });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await SendNormalAsync("s-1", 0, 20, fleet);
        var before = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{fleet}/s-1");
        Assert.Equal(Version1.Key, before.Scoring.Scorer);
        Assert.NotNull(before.Threshold.Learned);

        var switched = await Http.PutAsJsonAsync($"/api/fleets/{fleet}/models", new { anomaly = Version2.Key });
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        var assignment = (await switched.Content.ReadFromJsonAsync<FleetModelAssignment>(SiloHost.Json))!;
        Assert.Equal((Version2, "api", 2L), (assignment.Anomaly!.Model, assignment.Source, assignment.Version));
        var audited = (await _host.GetJsonAsync<JsonElement[]>($"/api/fleets/{fleet}/audit"))[0];
        Assert.Equal("AssignFleetModels", audited.GetProperty("action").GetString());
        Assert.Equal((1L, 2L), (audited.GetProperty("before").GetProperty("version").GetInt64(), audited.GetProperty("after").GetProperty("version").GetInt64()));
        await SendNormalAsync("s-1", 20, 3, fleet);

        var after = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{fleet}/s-1");
        Assert.Equal(Version2.Key, after.Scoring.Scorer);
        Assert.Equal((null, 3), (after.Threshold.Learned, after.Threshold.CalibrationScores));
        Assert.Equal(23, after.Counters.Accepted);
        var window = await _host.GetJsonAsync<TelemetryWindow>($"/api/devices/{fleet}/s-1/telemetry");
        Assert.Equal(before.WindowSize, window.WindowSize);
        Assert.Equal(Math.Min(23, before.WindowSize), window.Samples.Count);
        Assert.Equal(assignment, await _host.GetJsonAsync<FleetModelAssignment>($"/api/fleets/{fleet}/models"));
    }

    [Fact]
    public async Task AssigningAModelThatDoesNotFit_IsRefusedWithTheReason()
    {
        async Task<string> Refused(object body, HttpStatusCode expected)
        {
            var response = await Http.PutAsJsonAsync($"/api/fleets/{Fleet}/models", body);
            Assert.Equal(expected, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("{id}@{version}", await Refused(new { anomaly = "no-version" }, HttpStatusCode.BadRequest));
        Assert.Contains("no file", await Refused(new { anomaly = "missing-model@1" }, HttpStatusCode.BadRequest));
        Assert.Contains("Rul model", await Refused(new { rul = Version1.Key }, HttpStatusCode.BadRequest));
        var unchanged = await _host.GetJsonAsync<FleetModelAssignment>($"/api/fleets/{Fleet}/models");
        Assert.Equal((Version1, "configuration"), (unchanged.Anomaly!.Model, unchanged.Source));
    }

    private Task SendNormalAsync(string device, long firstSeq, int count, string fleet = Fleet) =>
        SendAsync(fleet, device, firstSeq, TestModels.Rows(count, seed: 7 + (int)firstSeq));

    private Task SendAnomalousAsync(string device, long firstSeq, int count) =>
        SendAsync(Fleet, device, firstSeq, [.. Enumerable.Repeat(new[] { 40f, -30f, 900f }, count)]);

    private async Task SendAsync(string fleet, string device, long firstSeq, List<float[]> rows)
    {
        var events = rows.Select((values, i) => Telemetry.Event(fleet, device, firstSeq + i, values));
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array(events));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
