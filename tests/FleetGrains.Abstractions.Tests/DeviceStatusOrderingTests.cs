using FleetGrains.Abstractions;

namespace FleetGrains.Abstractions.Tests;

public class DeviceStatusOrderingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DeviceStatus Status(string id, float? score, float? threshold, int secondsAgo = 0) =>
        new(id, HealthState.Healthy, score, threshold, T0.AddSeconds(-secondsAgo), T0.AddMinutes(1));

    [Fact]
    public void Severity_IsScoreOverThreshold_WhenBothAreKnown()
    {
        Assert.Equal(2f, Status("a", 4, 2).Severity);
        Assert.Null(Status("a", 4, null).Severity);
        Assert.Null(Status("a", null, 2).Severity);
    }

    [Fact]
    public void BySeverity_HighestFirst_UnscoredLast_TiesById()
    {
        DeviceStatus[] devices = [Status("c", null, null), Status("b", 3, 1), Status("a", 3, 1), Status("d", 10, 2)];

        var ordered = devices.Order(DeviceStatusOrdering.For(DeviceSortOrder.Severity)).Select(d => d.DeviceId);

        Assert.Equal(["d", "a", "b", "c"], ordered);
    }

    [Fact]
    public void ByScore_AndByLastSeen_AndById()
    {
        DeviceStatus[] devices = [Status("x", 1, 1, secondsAgo: 5), Status("y", 9, 100, secondsAgo: 1), Status("w", 5, 1, secondsAgo: 9)];

        Assert.Equal(["y", "w", "x"], devices.Order(DeviceStatusOrdering.For(DeviceSortOrder.Score)).Select(d => d.DeviceId));
        Assert.Equal(["y", "x", "w"], devices.Order(DeviceStatusOrdering.For(DeviceSortOrder.LastSeen)).Select(d => d.DeviceId));
        Assert.Equal(["w", "x", "y"], devices.Order(DeviceStatusOrdering.For(DeviceSortOrder.DeviceId)).Select(d => d.DeviceId));
    }
}
