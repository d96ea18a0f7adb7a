using System.Net;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Tests;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// A silo whose fleet <c>rul</c> has a RUL model predicting <c>100 − x₀</c>: devices near the end of their
/// life get work orders by urgency at a daily capacity of one, and completing one resets the device.
/// </summary>
public sealed class MaintenanceApiTests : IAsyncLifetime, IDisposable
{
    private const string Fleet = "rul";
    private static readonly ModelRef Model = new("test-rul", 1);

    private readonly TestModels _models = new();
    private SiloHost _host = null!;

    public async Task InitializeAsync()
    {
        _models.WriteLinearRul(Model);
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            ["Fleet:Inference:ModelDirectory"] = _models.ModelDirectory,
            [$"Fleet:Models:Fleets:{Fleet}:Rul"] = Model.Key,
            [$"Fleet:Maintenance:Fleets:{Fleet}:DailyCapacity"] = "1",
            ["Fleet:Maintenance:PlanningHorizon"] = "30",
            ["Fleet:Maintenance:PersistInterval"] = "00:00:00.100",
            ["Fleet:Maintenance:ReportInterval"] = "00:00:00.500",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task DevicesNearTheirEnd_GetOneWorkOrderEach_ByUrgency_AtTheDailyCapacity_AndCompletionResetsThem()
    {
        await SendAsync("worn", x0: 90, count: 5);   // RUL 10
        await SendAsync("aging", x0: 75, count: 5);  // RUL 25
        await SendAsync("fresh", x0: 10, count: 5);  // RUL 90: beyond the horizon

        var plan = await _host.EventuallyAsync<MaintenancePlan>($"/api/fleets/{Fleet}/maintenance", p => p.Open.Count == 2);
        Assert.Equal(["worn", "aging"], plan.Open.Select(o => o.DeviceId));
        Assert.Equal([10.0, 25.0], plan.Open.Select(o => Math.Round(o.PredictedRul, 3)));
        Assert.Equal(plan.Open[0].ScheduledFor.AddDays(1), plan.Open[1].ScheduledFor);
        Assert.Equal((1, 30f), (plan.DailyCapacity, plan.PlanningHorizon));
        var worn = await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/worn");
        Assert.Equal((Model.Key, 10.0, "statistical"), (worn.Scoring.RulModel, Math.Round(worn.Scoring.Rul!.Value, 3), worn.Scoring.Scorer));

        // Later predictions update the same order: no duplicates.
        await SendAsync("worn", x0: 95, count: 5, firstSeq: 5);
        plan = await _host.EventuallyAsync<MaintenancePlan>($"/api/fleets/{Fleet}/maintenance", p => Math.Abs(p.Open[0].PredictedRul - 5f) < 1e-3);
        Assert.Equal(2, plan.Open.Count);

        var response = await _host.Http.PostAsync($"/api/fleets/{Fleet}/maintenance/{plan.Open[0].Id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = await _host.GetJsonAsync<MaintenancePlan>($"/api/fleets/{Fleet}/maintenance");
        Assert.Equal(("aging", 1), (after.Open.Single().DeviceId, after.Open.Single().Priority));
        Assert.Equal((plan.Open[0].Id, WorkOrderStatus.Completed), (after.RecentlyCompleted.Single().Id, after.RecentlyCompleted.Single().Status));
        Assert.Null((await _host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/worn")).Scoring.Rul);
        var audited = (await _host.GetJsonAsync<JsonElement[]>($"/api/fleets/{Fleet}/audit"))[0];
        Assert.Equal(("CompleteWorkOrder", plan.Open[0].Id, "worn"), (audited.GetProperty("action").GetString(), audited.GetProperty("target").GetString(), audited.GetProperty("deviceId").GetString()));
        Assert.Equal(("Open", "Completed"), (audited.GetProperty("before").GetProperty("status").GetString(), audited.GetProperty("after").GetProperty("status").GetString()));

        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.PostAsync($"/api/fleets/{Fleet}/maintenance/{Fleet}-wo-999/complete", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync("/api/fleets/no-such-fleet/maintenance")).StatusCode);
    }

    private async Task SendAsync(string device, float x0, int count, long firstSeq = 0)
    {
        var events = Enumerable.Range(0, count).Select(i => Telemetry.Event(Fleet, device, firstSeq + i, x0, 1f, 2f));
        var response = await _host.Http.PostAsync("/api/telemetry", Telemetry.Array(events));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
