using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

public class HealthStateMachineTests
{
    private const float Threshold = 2f;
    private static readonly HysteresisPolicy Policy = new(RaiseAfter: 3, ClearAfter: 4, CriticalFactor: 2f);

    [Fact]
    public void FirstScoring_MovesFromUnknownToHealthy()
    {
        var health = new HealthStateMachine();
        Assert.Equal(HealthState.Unknown, health.State);

        Assert.True(health.Observe(1f, Threshold, Policy));
        Assert.Equal(HealthState.Healthy, health.State);
    }

    [Fact]
    public void Warning_NeedsKConsecutiveScoresAboveTheThreshold()
    {
        var health = Feed(new HealthStateMachine(), 1f, 1);
        Feed(health, 2.5f, 2);
        health.Observe(1f, Threshold, Policy); // breaks the run
        Feed(health, 2.5f, 2);
        Assert.Equal(HealthState.Healthy, health.State);

        Feed(health, 2.5f, 1);
        Assert.Equal(HealthState.Warning, health.State);
    }

    [Fact]
    public void Critical_NeedsKConsecutiveScoresAboveTheCriticalLevel()
    {
        var health = Feed(new HealthStateMachine(), 5f, 2);
        Assert.Equal(HealthState.Healthy, health.State);

        Feed(health, 5f, 1);
        Assert.Equal(HealthState.Critical, health.State);
    }

    [Fact]
    public void Clearing_NeedsMConsecutiveScoresBelow_AndLandsOnTheHighestLevelSeen()
    {
        var health = Feed(new HealthStateMachine(), 5f, 3);
        Assert.Equal(HealthState.Critical, health.State);

        Feed(health, 1f, 3);
        Assert.Equal(HealthState.Critical, health.State);
        health.Observe(2.5f, Threshold, Policy); // still below critical: the run goes on, but it saw Warning level
        Assert.Equal(HealthState.Warning, health.State);

        Feed(health, 1f, 3);
        Assert.Equal(HealthState.Warning, health.State);
        Feed(health, 1f, 1);
        Assert.Equal(HealthState.Healthy, health.State);
    }

    private static HealthStateMachine Feed(HealthStateMachine health, float score, int times)
    {
        for (var i = 0; i < times; i++)
        {
            health.Observe(score, Threshold, Policy);
        }

        return health;
    }
}
