using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class OfflineDetectionTests(ClusterFixture fixture)
{
    private const int F = ClusterFixture.Features;

    [Fact]
    public async Task SilentDevice_BecomesOffline_AfterAMultipleOfItsReportingInterval_AndRecovers()
    {
        const string fleetId = "offline-fleet";
        var silent = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, "silent"));
        var chatty = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, "chatty"));
        var fleet = fixture.Client.GetGrain<IFleetGrain>(fleetId);
        long seq = 0;

        // Both report once a second for a while: their observed interval is 1 s, so the timeout is 5 s.
        for (var i = 0; i < 3; i++)
        {
            await silent.IngestAsync(TestData.Normal(seq, 1, F, seed: i));
            await chatty.IngestAsync(TestData.Normal(seq, 1, F, seed: i));
            seq++;
            await fixture.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        }

        // Only one keeps reporting for 7 more seconds.
        for (var i = 0; i < 7; i++)
        {
            await chatty.IngestAsync(TestData.Normal(seq++, 1, F, seed: 50 + i));
            await fixture.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        }

        var rollup = await ClusterFixture.EventuallyAsync(fleet.GetRollupAsync, r => r.OfflineCount == 1, "one offline device");
        Assert.Equal("silent", rollup.Offline.Single().DeviceId);
        Assert.Equal(1, rollup.Counts[HealthState.Offline]);
        Assert.Equal(HealthState.Offline, (await silent.GetSnapshotAsync())!.Health);
        Assert.NotEqual(HealthState.Offline, (await chatty.GetSnapshotAsync())!.Health);

        await silent.IngestAsync(TestData.Normal(seq, 1, F, seed: 99));
        await chatty.IngestAsync(TestData.Normal(seq, 1, F, seed: 98));
        await fixture.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));

        await ClusterFixture.EventuallyAsync(fleet.GetRollupAsync, r => r.OfflineCount == 0, "the device back online");
        Assert.NotEqual(HealthState.Offline, (await silent.GetSnapshotAsync())!.Health);
    }
}
