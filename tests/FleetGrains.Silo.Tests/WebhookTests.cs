using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Webhooks;
using FleetGrains.Inference.Tests;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// Webhooks against a local HTTP receiver: alarms, their acknowledgement and clearing, work orders and devices gone
/// silent are posted signed, once each, retried with the same id while the receiver fails, shown failing, and given
/// up after the configured attempts. Each test uses its own fleet.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime, IDisposable
{
    internal const string Secret = "a-webhook-secret-of-some-length";
    private static readonly ModelRef RulModel = new("test-rul", 1);
    private readonly TestModels _models = new();
    private SiloHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _models.WriteLinearRul(RulModel); // RUL = 100 − the first reading
        _receiver = await WebhookReceiver.StartAsync();
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            ["Fleet:Inference:ModelDirectory"] = _models.ModelDirectory,
            ["Fleet:Models:Fleets:wh-rul:Rul"] = RulModel.Key,
            ["Fleet:Maintenance:PlanningHorizon"] = "30",
            ["Fleet:Maintenance:ReportInterval"] = "00:00:00.200",
            ["Fleet:Webhooks:RetryDelay"] = "00:00:00.100",
            ["Fleet:Webhooks:MaxRetryDelay"] = "00:00:00.400",
            ["Fleet:Webhooks:MaxAttempts"] = "4",
            ["Fleet:Devices:MinOfflineTimeout"] = "00:00:02",
            ["Fleet:Devices:InitialReportingInterval"] = "00:00:00.200",
            ["Fleet:Security:RateLimits:ApiPerWindow"] = "1000000",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task AnAlarm_IsPostedSigned_AndItsAcknowledgementAndClearing_EachOnce()
    {
        const string fleet = "wh-alarms";
        await PutAsync(fleet, "ops", "ops", [WebhookEvent.AnomalyRaised, WebhookEvent.AnomalyAcknowledged, WebhookEvent.AnomalyCleared]);
        await MakeCriticalAsync(fleet, "pump-1");

        var raised = Assert.Single(await _receiver.EventuallyAsync("ops", d => d.Count >= 1));
        AssertSigned(raised);
        Assert.Equal(("AnomalyRaised", fleet, "pump-1", "Critical"), (raised.Event, raised.Json.GetProperty("fleetId").GetString(), raised.Json.GetProperty("deviceId").GetString(), raised.Json.GetProperty("severity").GetString()));
        Assert.Equal(raised.Id, raised.Json.GetProperty("id").GetString());
        var startSeq = raised.Json.GetProperty("data").GetProperty("startSeq").GetInt64();

        Assert.Equal(HttpStatusCode.OK, (await _host.Http.PostAsJsonAsync($"/api/fleets/{fleet}/anomalies/pump-1/{startSeq}/acknowledge", new { comment = "on it" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.PostAsJsonAsync($"/api/fleets/{fleet}/anomalies/pump-1/{startSeq}/clear", new { comment = "fixed" })).StatusCode);

        var all = await _receiver.EventuallyAsync("ops", d => d.Count >= 3);
        await Task.Delay(500); // nothing more comes
        all = _receiver.To("ops");
        Assert.Equal(["AnomalyRaised", "AnomalyAcknowledged", "AnomalyCleared"], all.Select(d => d.Event));
        Assert.Equal(3, all.Select(d => d.Id).Distinct().Count());
        Assert.All(all, AssertSigned);
        Assert.Equal("on it", all[1].Json.GetProperty("data").GetProperty("acknowledged").GetProperty("comment").GetString());
        Assert.Equal("fixed", all[2].Json.GetProperty("data").GetProperty("cleared").GetProperty("comment").GetString());
        var status = Assert.Single(await _host.GetJsonAsync<WebhookStatus[]>($"/api/fleets/{fleet}/webhooks"));
        Assert.Equal((3L, 0L, 0, 0, false), (status.Delivered, status.Failed, status.Pending, status.ConsecutiveFailures, status.Failing));
    }

    [Fact]
    public async Task AFailingReceiver_GetsTheSameIdAgainUntilItTakesIt_AndOneThatStaysDown_IsShownFailing_ThenGivenUp()
    {
        const string fleet = "wh-retry";
        await PutAsync(fleet, "flaky", "flaky", [WebhookEvent.AnomalyRaised]);
        await PutAsync(fleet, "down", "down", [WebhookEvent.AnomalyRaised]);
        _receiver.FailNext("flaky", 3);
        _receiver.SetDown("down", true);

        await MakeCriticalAsync(fleet, "pump-2");

        var flaky = await _receiver.EventuallyAsync("flaky", d => d.Any(x => x.Status == 200));
        Assert.Equal([500, 500, 500, 200], flaky.Select(d => d.Status));
        Assert.Single(flaky.Select(d => d.Id).Distinct());
        var failing = await _host.EventuallyAsync<WebhookStatus[]>($"/api/fleets/{fleet}/webhooks", w => w.Single(x => x.Subscription.Name == "down").ConsecutiveFailures >= 2);
        Assert.Contains("HTTP 503", failing.Single(x => x.Subscription.Name == "down").LastError);

        var after = await _host.EventuallyAsync<WebhookStatus[]>($"/api/fleets/{fleet}/webhooks", w => w.Single(x => x.Subscription.Name == "down").Failed == 1);
        var down = after.Single(x => x.Subscription.Name == "down");
        Assert.Equal((0, 0L, 4, true), (down.Pending, down.Delivered, down.ConsecutiveFailures, down.Failing));
        Assert.Equal(4, _receiver.To("down").Count);
        var recovered = after.Single(x => x.Subscription.Name == "flaky");
        Assert.Equal((1L, 0L, 0, "HTTP 500 Internal Server Error"), (recovered.Delivered, recovered.Failed, recovered.ConsecutiveFailures, recovered.LastError));
    }

    [Fact]
    public async Task AWorkOrder_AndADeviceGoneSilent_ArePosted_ToTheWebhooksThatWantThem()
    {
        const string fleet = "wh-rul";
        await PutAsync(fleet, "planner", "planner", [WebhookEvent.WorkOrderCreated]);
        await PutAsync(fleet, "watch", "watch", [WebhookEvent.DeviceOffline]);

        await SendAsync(Enumerable.Range(0, 5).Select(seq => Telemetry.Event(fleet, "worn", seq, 90f, 1f, 2f)));

        var order = Assert.Single(await _receiver.EventuallyAsync("planner", d => d.Count >= 1));
        AssertSigned(order);
        Assert.Equal(("WorkOrderCreated", "worn"), (order.Event, order.Json.GetProperty("deviceId").GetString()));
        Assert.Equal(10f, order.Json.GetProperty("data").GetProperty("predictedRul").GetSingle(), 0.01f);
        var offline = Assert.Single(await _receiver.EventuallyAsync("watch", d => d.Count >= 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(("DeviceOffline", "worn", "Offline"), (offline.Event, offline.Json.GetProperty("deviceId").GetString(), offline.Json.GetProperty("data").GetProperty("health").GetString()));
        Assert.DoesNotContain(_receiver.To("planner"), d => d.Event != "WorkOrderCreated");
    }

    [Fact]
    public async Task BadConfigurations_AreRefusedWithTheReason_AndTheSecretIsNeverShown()
    {
        const string fleet = "wh-config";
        async Task<string> RefusedAsync(object body, string field)
        {
            var response = await _host.Http.PutAsJsonAsync($"/api/fleets/{fleet}/webhooks/bad", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            Assert.Contains(field, text, StringComparison.Ordinal);
            return text;
        }

        var hook = _receiver.Hook("config").ToString();
        await RefusedAsync(new { url = "ftp://example.org/x", secret = Secret, events = new[] { "AnomalyRaised" } }, "url");
        await RefusedAsync(new { url = "/relative", secret = Secret, events = new[] { "AnomalyRaised" } }, "url");
        await RefusedAsync(new { url = hook, secret = "short", events = new[] { "AnomalyRaised" } }, "secret");
        await RefusedAsync(new { url = hook, secret = Secret, events = Array.Empty<string>() }, "events");
        await RefusedAsync(new { url = hook, secret = Secret, events = new[] { "SomethingElse" } }, "$.events[0]");
        await RefusedAsync(new { url = hook, secret = Secret, events = new[] { "AnomalyRaised" }, minSeverity = "Healthy" }, "minSeverity");

        await PutAsync(fleet, "good", "config", [WebhookEvent.AnomalyRaised]);
        var listed = await _host.Http.GetStringAsync($"/api/fleets/{fleet}/webhooks");
        Assert.Contains("\"good\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Http.DeleteAsync($"/api/fleets/{fleet}/webhooks/good")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.DeleteAsync($"/api/fleets/{fleet}/webhooks/good")).StatusCode);
        Assert.Empty(await _host.GetJsonAsync<WebhookStatus[]>($"/api/fleets/{fleet}/webhooks"));
    }

    internal static async Task PutAsync(SiloHost host, WebhookReceiver receiver, string fleet, string name, string hook, WebhookEvent[] events)
    {
        var response = await host.Http.PutAsJsonAsync($"/api/fleets/{fleet}/webhooks/{name}", new { url = receiver.Hook(hook), secret = Secret, events = events.Select(e => e.ToString()) });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    internal static async Task MakeCriticalAsync(SiloHost host, string fleet, string device)
    {
        await SendAsync(host, Telemetry.Noise(fleet, device, 0, 30, 3, 5));
        await SendAsync(host, Enumerable.Range(30, 3).Select(seq => Telemetry.Event(fleet, device, seq, 500f, 500f, 500f)));
    }

    private Task PutAsync(string fleet, string name, string hook, WebhookEvent[] events) => PutAsync(_host, _receiver, fleet, name, hook, events);

    private Task MakeCriticalAsync(string fleet, string device) => MakeCriticalAsync(_host, fleet, device);

    private Task SendAsync(IEnumerable<Dictionary<string, object?>> events) => SendAsync(_host, events);

    private static async Task SendAsync(SiloHost host, IEnumerable<Dictionary<string, object?>> events)
    {
        var response = await host.Http.PostAsync("/api/telemetry", Telemetry.Array(events));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static void AssertSigned(WebhookReceiver.Delivery delivery)
    {
        var timestamp = long.Parse(delivery.Headers[WebhookSignature.TimestampHeader], CultureInfo.InvariantCulture);
        Assert.True(WebhookSignature.Verify(Secret, timestamp, delivery.Body, delivery.Headers[WebhookSignature.SignatureHeader]), "the signature does not match the body");
        Assert.False(WebhookSignature.Verify("another-secret-entirely", timestamp, delivery.Body, delivery.Headers[WebhookSignature.SignatureHeader]));
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, -5, 60);
        Assert.Equal("application/json", delivery.Headers["Content-Type"].Split(';')[0]);
    }
}
