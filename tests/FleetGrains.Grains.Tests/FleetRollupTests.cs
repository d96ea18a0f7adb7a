using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class FleetRollupTests(ClusterFixture fixture)
{
    private const int F = ClusterFixture.Features;

    [Fact]
    public async Task Rollup_AfterABurstFromManyDevices_CountsEqualTheDevicesStates()
    {
        const string fleetId = "rollup-burst";
        var options = ClusterFixture.DeviceOptions;
        var calibrated = options.WarmupSamples + options.CalibrationScores + 5;
        var devices = Enumerable.Range(0, 60).Select(i => fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, $"d{i:D3}"))).ToArray();

        await Task.WhenAll(devices.Select(async (device, i) =>
        {
            if (i < 50)
            {
                await device.IngestAsync(TestData.Normal(0, calibrated, F, seed: 100 + i));
            }
            else
            {
                await device.IngestAsync(TestData.Normal(0, 5, F, seed: 100 + i)); // still warming up: Unknown
            }

            if (i is >= 40 and < 50)
            {
                await device.IngestAsync(TestData.Anomalous(calibrated, options.RaiseAfter, F)); // Critical
            }
        }));

        var states = (await Task.WhenAll(devices.Select(d => d.GetSnapshotAsync()))).Select(s => s!.Health).ToList();
        Assert.Equal(40, states.Count(s => s == HealthState.Healthy));
        Assert.Equal(10, states.Count(s => s == HealthState.Critical));
        Assert.Equal(10, states.Count(s => s == HealthState.Unknown));

        await fixture.AdvanceAsync(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(250));
        var fleet = fixture.Client.GetGrain<IFleetGrain>(fleetId);
        var rollup = await ClusterFixture.EventuallyAsync(
            fleet.GetRollupAsync,
            r => r.DeviceCount == 60 && r.Counts[HealthState.Critical] == 10 && r.Counts[HealthState.Healthy] == 40,
            "the rollup to match the devices");

        Assert.Equal(10, rollup.Counts[HealthState.Unknown]);
        Assert.Equal(0, rollup.OfflineCount);
        Assert.All(rollup.Worst.Take(10), w => Assert.Equal(HealthState.Critical, w.Health));
        Assert.Contains(fleetId, await fixture.Client.GetGrain<IFleetDirectoryGrain>(0).ListAsync());
    }

    [Fact]
    public async Task ShardQuery_FiltersByStateAndSortsBySeverity()
    {
        const string fleetId = "shard-query";
        var options = ClusterFixture.DeviceOptions;
        var calibrated = options.WarmupSamples + options.CalibrationScores + 5;
        var critical = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, "bad"));
        var healthy = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, "good"));
        await critical.IngestAsync(TestData.Normal(0, calibrated, F, seed: 1));
        await critical.IngestAsync(TestData.Anomalous(calibrated, options.RaiseAfter, F));
        await healthy.IngestAsync(TestData.Normal(0, calibrated, F, seed: 2));
        await fixture.AdvanceAsync(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250));

        var shard = fixture.Client.GetGrain<IFleetShardGrain>(FleetKeys.Shard(fleetId, FleetKeys.ShardOf("bad", ClusterFixture.ShardsPerFleet)));
        var page = await ClusterFixture.EventuallyAsync(
            () => shard.GetDevicesAsync(new DeviceQuery(HealthState.Critical, DeviceSortOrder.Severity, 0, 10)),
            p => p.Total == 1,
            "the critical device in its shard");

        Assert.Equal("bad", page.Devices.Single().DeviceId);
        Assert.True(page.Devices[0].Severity > 2);
    }

    [Fact]
    public async Task AReportWithinTheReportInterval_WaitsForItsEnd_WithTheNewestStatus_OrGoesAtOnceWhenTheDeviceDeactivates()
    {
        const string fleetId = "report-interval";
        var device = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(fleetId, "pinned"));
        var shard = fixture.Client.GetGrain<IFleetShardGrain>(FleetKeys.Shard(fleetId, FleetKeys.ShardOf("pinned", ClusterFixture.ShardsPerFleet)));
        var all = new DeviceQuery(null, DeviceSortOrder.Severity, 0, 10);
        await device.IngestAsync(TestData.Normal(0, 5, F, seed: 3));
        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(all), p => p.Total == 1, "the first report, at once");

        await device.PinThresholdAsync(5f); // within the second after the first report: waits
        await device.PinThresholdAsync(7f); // replaces the waiting report
        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250));
        await Task.Delay(200); // a report sent would reach the shard within this
        Assert.Null((await shard.GetDevicesAsync(all)).Devices.Single().Threshold);

        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250));
        await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(all), p => p.Devices.Single().Threshold == 7f, "the newest status once the interval is over");

        await device.PinThresholdAsync(9f); // waits again
        await fixture.Cluster.DeactivateAsync(device);
        await fixture.Cluster.WaitForDeactivationAsync(device);
        await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(all), p => p.Devices.Single().Threshold == 9f, "the waiting report, sent on deactivation");
    }
}
