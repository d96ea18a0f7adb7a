using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class StatusReportScheduleTests(ClusterFixture fixture)
{
    private static readonly DeviceQuery Everything = new(null, DeviceSortOrder.Severity, 0, 100);

    private StatusReportSchedule Schedule => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<StatusReportSchedule>();

    [Fact]
    public async Task AReport_ReachesItsShardAtItsSlot_AndANewerStatusForTheSameSlotReplacesIt()
    {
        var shardKey = FleetKeys.Shard("report-schedule-newest", 0);
        var shard = fixture.Client.GetGrain<IFleetShardGrain>(shardKey);
        var now = fixture.Time.GetUtcNow();
        Schedule.Schedule(shardKey, Status("a", HealthState.Warning, now), now + TimeSpan.FromSeconds(1));
        Schedule.Schedule(shardKey, Status("b", HealthState.Healthy, now), now);
        Schedule.Schedule(shardKey, Status("a", HealthState.Critical, now), now + TimeSpan.FromSeconds(1));

        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100));
        var early = await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(Everything), p => p.Total == 1, "the report due at once");
        Assert.Equal("b", early.Devices.Single().DeviceId);

        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(100));
        var later = await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(Everything), p => p.Total == 2, "the report due after a second");
        Assert.Equal(HealthState.Critical, later.Devices.Single(d => d.DeviceId == "a").Health);
    }

    [Fact]
    public async Task AReportTaken_IsNotSent()
    {
        var shardKey = FleetKeys.Shard("report-schedule-taken", 0);
        var shard = fixture.Client.GetGrain<IFleetShardGrain>(shardKey);
        var now = fixture.Time.GetUtcNow();
        var slot = Schedule.Schedule(shardKey, Status("taken", HealthState.Warning, now), now + TimeSpan.FromSeconds(1));
        Schedule.Schedule(shardKey, Status("kept", HealthState.Healthy, now), now + TimeSpan.FromSeconds(1));

        Assert.Equal(HealthState.Warning, Schedule.Take(slot, shardKey, "taken")?.Health);
        Assert.Null(Schedule.Take(slot, shardKey, "taken"));
        await fixture.AdvanceAsync(TimeSpan.FromMilliseconds(1_200), TimeSpan.FromMilliseconds(100));

        var page = await ClusterFixture.EventuallyAsync(() => shard.GetDevicesAsync(Everything), p => p.Total > 0, "the report left in the slot");
        Assert.Equal(["kept"], page.Devices.Select(d => d.DeviceId));
        Assert.Null(Schedule.Take(slot, shardKey, "kept"));
    }

    private static DeviceStatus Status(string deviceId, HealthState health, DateTimeOffset now) =>
        new(deviceId, health, 1f, 2f, now, now + TimeSpan.FromHours(1));
}
