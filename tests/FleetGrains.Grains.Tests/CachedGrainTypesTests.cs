using FleetGrains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class CachedGrainTypesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task FastReferences_AreTheReferencesGetGrainMakes_AndReachTheSameGrains()
    {
        var grains = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainFactory>();
        var keys = new[] { FleetKeys.Device("cached-types", "a"), FleetKeys.Device("cached-types", "b"), FleetKeys.Device("other-fleet", "a") };
        foreach (var key in keys)
        {
            var usual = grains.GetGrain<IDeviceGrain>(key);
            var fast = grains.GetGrainFast<IDeviceGrain>(key); // the first call resolves, the later ones reuse
            Assert.Equal(usual, fast);
            Assert.Equal(usual.GetGrainId(), fast.GetGrainId());
        }

        Assert.Equal(grains.GetGrain<IFleetDirectoryGrain>(0), grains.GetGrainFast<IFleetDirectoryGrain>(0));
        Assert.Equal(grains.GetGrain<IFleetDirectoryGrain>(7), grains.GetGrainFast<IFleetDirectoryGrain>(7));

        var sample = new TelemetrySample(1, fixture.Time.GetUtcNow().ToUnixTimeMilliseconds(), [1f, 2f, 3f]);
        Assert.Equal(1, (await grains.GetGrainFast<IDeviceGrain>(keys[0]).IngestAsync([sample])).Accepted);
        Assert.Equal(1, (await grains.GetGrain<IDeviceGrain>(keys[0]).GetSnapshotAsync())!.Counters.Accepted);
    }

    [Fact]
    public void ABlankKey_IsRefusedAsGetGrainRefusesIt()
    {
        var grains = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainFactory>();
        Assert.ThrowsAny<ArgumentException>(() => { grains.GetGrainFast<IDeviceGrain>(" "); });
    }
}
