using System.Net;
using FleetGrains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Silo.Tests;

public class PersistenceTests
{
    [Fact]
    public async Task DeviceAndFleetState_SurviveTheCollectionOfEveryActivation()
    {
        await using var host = await SiloHost.StartAsync(SiloHost.FastRollup);
        var events = Telemetry.Noise("persist", "d1", 0, 40, 3, seed: 1).ToList();
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsync("/api/telemetry", Telemetry.Array(events))).StatusCode);
        await host.Http.PutAsync("/api/devices/persist/d1/threshold", Telemetry.Raw("""{"value": 7.5}"""));
        var before = await host.GetJsonAsync<DeviceSnapshot>("/api/devices/persist/d1");
        await host.EventuallyAsync<FleetRollup>("/api/fleets/persist", r => r.DeviceCount == 1 && r.Worst.Count == 1);

        var grains = host.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var after = await host.GetJsonAsync<DeviceSnapshot>("/api/devices/persist/d1");
        Assert.Equal(before.LastSeq, after.LastSeq);
        Assert.Equal(before.Counters, after.Counters);
        Assert.Equal(before.Threshold, after.Threshold);
        Assert.Equal(before.Features, after.Features);
        var rollup = await host.GetJsonAsync<FleetRollup>("/api/fleets/persist");
        Assert.Equal(1, rollup.DeviceCount);
        Assert.Equal("d1", rollup.Worst.Single().DeviceId);
    }
}
