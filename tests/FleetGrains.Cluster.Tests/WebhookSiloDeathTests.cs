using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetGrains.LocalServers;
using FleetGrains.Silo.Tests;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// A webhook notification waiting for a receiver that is down survives the hard death of the silo that held the fleet's
/// webhook grain: its outbox is in Redis, and the outbox's reminder (in Redis) activates the grain on the survivor,
/// which delivers it once the receiver is back. The one silo alive when the notification is raised holds the grain.
/// </summary>
public sealed class WebhookSiloDeathTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Fleet = "wh-death";
    private readonly List<SiloProcess> _silos = [];
    private RedisServer _redis = null!;
    private WebhookReceiver _receiver = null!;
    private Dictionary<string, string> _settings = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _settings = new Dictionary<string, string>(ClusterHarness.RedisCluster(_redis, $"webhooks-{Guid.NewGuid():N}", streams: false))
        {
            ["Fleet:Webhooks:RetryDelay"] = "00:00:00.200",
            ["Fleet:Webhooks:MaxRetryDelay"] = "00:00:01",
            ["Fleet:Webhooks:MaxAttempts"] = "1000",
            ["Fleet:Devices:MinOfflineTimeout"] = "01:00:00",
            ["Fleet:Cluster:RebalanceActivations"] = "false", // the grain stays on the silo that is killed
            ["Fleet:Devices:WarmupSamples"] = "5",
            ["Fleet:Devices:CalibrationScores"] = "10",
        };
        _silos.Add(await SiloProcess.StartAsync("silo0", _settings));
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AWaitingNotification_IsDeliveredByTheSurvivor_AfterTheSiloThatHeldItIsKilled()
    {
        var first = _silos[0];
        var put = await first.Http.PutAsJsonAsync($"/api/fleets/{Fleet}/webhooks/pager",
            new { url = _receiver.Hook("pager"), secret = "a-webhook-secret-of-some-length", events = new[] { "AnomalyRaised" } });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        _receiver.SetDown("pager", true);

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var random = new Random(3);
        var events = Enumerable.Range(0, 30).Select(seq => Event(seq, ts + seq, 10 + random.NextSingle()))
            .Concat(Enumerable.Range(30, 3).Select(seq => Event(seq, ts + seq, 500f)));
        var sent = await first.Http.PostAsync("/api/telemetry", new StringContent($"[{string.Join(',', events)}]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await ClusterHarness.WaitUntilAsync(async () => Failures(await first.GetJsonAsync<JsonElement[]>($"/api/fleets/{Fleet}/webhooks")) >= 2, TimeSpan.FromSeconds(30));

        _silos.Add(await SiloProcess.StartAsync("silo1", _settings));
        var survivor = _silos[1];
        await first.KillAsync();
        var killedAt = DateTime.UtcNow;
        _receiver.SetDown("pager", false);

        var deliveries = await _receiver.EventuallyAsync("pager", d => d.Any(x => x.Status == 200), TimeSpan.FromSeconds(180));
        output.WriteLine($"delivered {(DateTime.UtcNow - killedAt).TotalSeconds:F0} s after the kill; attempts: {string.Join(", ", deliveries.Select(d => d.Status))}");
        Assert.Single(deliveries, d => d.Status == 200);
        Assert.Single(deliveries.Select(d => d.Id).Distinct());
        var status = Assert.Single(await survivor.GetJsonAsync<JsonElement[]>($"/api/fleets/{Fleet}/webhooks"));
        Assert.Equal((1, 0), (status.GetProperty("delivered").GetInt32(), status.GetProperty("pending").GetInt32()));
    }

    private static string Event(long seq, long ts, float value) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"fleetId":"{{Fleet}}","deviceId":"pump-1","ts":{{ts}},"seq":{{seq}},"values":[{{value}},{{value}},{{value}}]}""");

    private static int Failures(JsonElement[] webhooks) => webhooks.Length == 1 ? webhooks[0].GetProperty("consecutiveFailures").GetInt32() : 0;
}
