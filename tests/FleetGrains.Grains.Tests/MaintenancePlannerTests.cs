using FleetGrains.Abstractions;
using FleetGrains.Grains.Maintenance;

namespace FleetGrains.Grains.Tests;

public class MaintenancePlannerTests
{
    private const string Fleet = "f";
    private const float Horizon = 30;
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Report_BeyondTheHorizon_OpensNothing()
    {
        var planner = new MaintenancePlanner();

        Assert.False(planner.Report(Fleet, Rul("d1", 31), Horizon, dailyCapacity: 2));
        Assert.Empty(planner.Open);
    }

    [Fact]
    public void Reports_OfOneDevice_KeepOneOpenOrder_FollowingTheNewestPrediction()
    {
        var planner = new MaintenancePlanner();
        planner.Report(Fleet, Rul("d1", 25), Horizon, 2);
        var first = planner.Open.Single();

        planner.Report(Fleet, Rul("d1", 12, HealthState.Warning, minutes: 5), Horizon, 2);
        planner.Report(Fleet, Rul("d1", 40, minutes: 10), Horizon, 2); // beyond the horizon again: the order stays, updated

        var order = planner.Open.Single();
        Assert.Equal((first.Id, "f-wo-1", 40f, HealthState.Healthy), (order.Id, order.Id, order.PredictedRul, order.Health));
        Assert.Equal((Monday, Monday.AddMinutes(10)), (order.CreatedAt, order.UpdatedAt));
    }

    [Fact]
    public void Priorities_FollowRulWeightedByHealth_AndDaysFillAtTheDailyCapacity()
    {
        var planner = new MaintenancePlanner();
        planner.Report(Fleet, Rul("slow", 28), Horizon, 2);
        planner.Report(Fleet, Rul("critical", 20, HealthState.Critical), Horizon, 2); // urgency 10
        planner.Report(Fleet, Rul("soon", 12), Horizon, 2);                           // urgency 12
        planner.Report(Fleet, Rul("warning", 20, HealthState.Warning), Horizon, 2);   // urgency 15
        planner.Report(Fleet, Rul("tie", 28, minutes: 1), Horizon, 2);                // as "slow", but opened later

        var plan = planner.Open;
        Assert.Equal(["critical", "soon", "warning", "slow", "tie"], plan.Select(o => o.DeviceId));
        Assert.Equal([1, 2, 3, 4, 5], plan.Select(o => o.Priority));
        var today = DateOnly.FromDateTime(Monday.UtcDateTime);
        Assert.Equal([today, today, today.AddDays(1), today.AddDays(1), today.AddDays(2)], plan.Select(o => o.ScheduledFor));
    }

    [Fact]
    public void Complete_ClosesTheOrder_ReplansTheRest_AndIsIdempotent()
    {
        var planner = new MaintenancePlanner();
        planner.Report(Fleet, Rul("a", 5), Horizon, 1);
        planner.Report(Fleet, Rul("b", 10), Horizon, 1);
        var first = planner.Open[0];

        var done = planner.Complete(first.Id, Monday.AddHours(1), dailyCapacity: 1, keepCompleted: 10)!;

        Assert.Equal((WorkOrderStatus.Completed, Monday.AddHours(1), "a"), (done.Status, done.CompletedAt, done.DeviceId));
        var remaining = planner.Open.Single();
        Assert.Equal(("b", 1, DateOnly.FromDateTime(Monday.UtcDateTime)), (remaining.DeviceId, remaining.Priority, remaining.ScheduledFor));
        Assert.Equal(done, planner.Complete(first.Id, Monday.AddHours(2), 1, 10));
        Assert.Equal([done], planner.Completed);
        Assert.Null(planner.Complete("f-wo-99", Monday, 1, 10));
    }

    [Fact]
    public void AfterCompletion_OnlyNewerReportsOpenANewOrder()
    {
        var planner = new MaintenancePlanner();
        planner.Report(Fleet, Rul("a", 5), Horizon, 1);
        planner.Complete(planner.Open[0].Id, Monday.AddMinutes(30), 1, 10);

        Assert.False(planner.Report(Fleet, Rul("a", 4, minutes: 29), Horizon, 1)); // sent before the repair
        Assert.Empty(planner.Open);

        Assert.True(planner.Report(Fleet, Rul("a", 6, minutes: 31), Horizon, 1));
        Assert.Equal("f-wo-2", planner.Open.Single().Id);
    }

    [Fact]
    public void Completed_KeepsOnlyTheNewest()
    {
        var planner = new MaintenancePlanner();
        foreach (var device in new[] { "a", "b", "c" })
        {
            planner.Report(Fleet, Rul(device, 5), Horizon, 1);
            planner.Complete(planner.Open.Single().Id, Monday.AddHours(1), 1, keepCompleted: 2);
        }

        Assert.Equal(["c", "b"], planner.Completed.Select(o => o.DeviceId));
    }

    private static RulReport Rul(string device, float rul, HealthState health = HealthState.Healthy, int minutes = 0) =>
        new(device, rul, health, "rul@1", Monday.AddMinutes(minutes));
}
