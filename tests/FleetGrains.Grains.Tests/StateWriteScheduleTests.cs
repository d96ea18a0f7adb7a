using FleetGrains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class StateWriteScheduleTests(ClusterFixture fixture)
{
    private StateWriteSchedule Schedule => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<StateWriteSchedule>();

    [Fact]
    public void AScheduledWrite_CountsAsLost_OnlyWhenItsCallIsTenSecondsOverdue()
    {
        var grain = fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device("schedule-tests", "never-called")).GetGrainId();
        var slot = Schedule.Schedule(grain, TimeSpan.FromSeconds(2));
        Schedule.Cancel(grain, slot); // as if its call had been sent and never arrived

        Assert.False(Schedule.IsLost(slot));
        fixture.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(Schedule.IsLost(slot)); // 9 s after its slot
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(Schedule.IsLost(slot));
    }
}
