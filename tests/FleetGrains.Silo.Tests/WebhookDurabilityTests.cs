using FleetGrains.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// A notification waiting for a receiver that is down outlives the activation of its fleet's webhook grain: what a
/// silo's death leaves (the grain gone, its outbox in storage) is delivered once the outbox's reminder brings the grain
/// back. Its own silo: attempts never run out, devices never go offline (an offline notification would wake the grain).
/// </summary>
public sealed class WebhookDurabilityTests : IAsyncLifetime
{
    private const string Fleet = "wh-durable";
    private SiloHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            ["Fleet:Webhooks:RetryDelay"] = "00:00:00.100",
            ["Fleet:Webhooks:MaxRetryDelay"] = "00:00:00.200",
            ["Fleet:Webhooks:MaxAttempts"] = "1000",
            ["Fleet:Devices:MinOfflineTimeout"] = "01:00:00",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task AWaitingNotification_OutlivesItsGrainsActivation_AndIsDeliveredWhenTheReminderBringsItBack()
    {
        await WebhookTests.PutAsync(_host, _receiver, Fleet, "later", "later", [WebhookEvent.AnomalyRaised]);
        _receiver.SetDown("later", true);
        await WebhookTests.MakeCriticalAsync(_host, Fleet, "pump-1");
        await _host.EventuallyAsync<WebhookStatus[]>($"/api/fleets/{Fleet}/webhooks", w => w.Single().ConsecutiveFailures >= 2);

        var webhooks = _host.Services.GetRequiredService<IGrainFactory>().GetGrain<IFleetWebhooksGrain>(Fleet);
        await webhooks.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(1000);
        var attempts = _receiver.To("later").Count;
        await Task.Delay(3000);
        Assert.Equal(attempts, _receiver.To("later").Count); // the grain is gone: nothing tries any more...
        _receiver.SetDown("later", false);

        // ...until the outbox's reminder (every minute while anything waits) activates it again.
        var deliveries = await _receiver.EventuallyAsync("later", d => d.Any(x => x.Status == 200), TimeSpan.FromSeconds(90));
        Assert.Single(deliveries, d => d.Status == 200);
        Assert.Single(deliveries.Select(d => d.Id).Distinct());
        var status = Assert.Single(await _host.GetJsonAsync<WebhookStatus[]>($"/api/fleets/{Fleet}/webhooks"));
        Assert.Equal((1L, 0, false), (status.Delivered, status.Pending, status.Failing));
    }
}
