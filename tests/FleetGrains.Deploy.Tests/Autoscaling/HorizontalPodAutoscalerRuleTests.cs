using k8s.Models;

namespace FleetGrains.Deploy.Tests;

/// <summary>The autoscaling test's stand-in for the HPA controller decides as the controller does.</summary>
public sealed class HorizontalPodAutoscalerRuleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2, 210, 2)] // 5 % above target: within the tolerance
    [InlineData(3, 170, 3)] // ceil(1.7) = 2, but the scale-down window starts with the current count
    [InlineData(2, 300, 3)]
    [InlineData(1, 0, 1)] // never below the minimum
    public void ItProposesCeilOfMetricOverTarget_OutsideTheTolerance(int current, double metric, int expected)
    {
        var rule = new HorizontalPodAutoscalerRule(1, 10, 100, Behavior(upPeriod: 30, downWindow: 60, downPeriod: 10));

        Assert.Equal(expected, rule.Decide(Start, current, metric));
    }

    [Fact]
    public void ItScalesUpOnePodPerPeriod_UpToTheMaximum()
    {
        var rule = new HorizontalPodAutoscalerRule(1, 3, 100, Behavior(upPeriod: 30, downWindow: 60, downPeriod: 10));
        var replicas = 1;
        var timeline = new List<int>();
        foreach (var second in new[] { 0, 10, 31, 45, 62, 100 })
        {
            replicas = rule.Decide(Start.AddSeconds(second), replicas, 10_000);
            timeline.Add(replicas);
        }

        Assert.Equal([2, 2, 3, 3, 3, 3], timeline);
    }

    [Fact]
    public void ItScalesDownOnlyAfterTheStabilisationWindow_OnePodPerPeriod_DownToTheMinimum()
    {
        var rule = new HorizontalPodAutoscalerRule(2, 10, 100, Behavior(upPeriod: 30, downWindow: 60, downPeriod: 10));
        var replicas = rule.Decide(Start, 5, 500);
        var timeline = new List<(int Second, int Replicas)>();
        foreach (var second in new[] { 15, 59, 61, 65, 72, 80, 95, 120 })
        {
            replicas = rule.Decide(Start.AddSeconds(second), replicas, 0);
            timeline.Add((second, replicas));
        }

        Assert.Equal([(15, 5), (59, 5), (61, 4), (65, 4), (72, 3), (80, 3), (95, 2), (120, 2)], timeline);
    }

    [Fact]
    public void AHighRecommendationWithinTheWindow_HoldsTheCount()
    {
        var rule = new HorizontalPodAutoscalerRule(1, 10, 100, Behavior(upPeriod: 1, downWindow: 60, downPeriod: 1));
        var replicas = rule.Decide(Start, 1, 400); // 2 (one pod per period)
        replicas = rule.Decide(Start.AddSeconds(50), replicas, 0);
        replicas = rule.Decide(Start.AddSeconds(100), replicas, 50); // the 400 of second 0 has left the window, 0 of second 50 not
        Assert.Equal(1, replicas);
    }

    [Fact]
    public void APolicyOtherThanMax_IsRefused() =>
        Assert.Throws<NotSupportedException>(() => new HorizontalPodAutoscalerRule(1, 2, 1, new V2HorizontalPodAutoscalerBehavior
        {
            ScaleUp = new V2HPAScalingRules { SelectPolicy = "Disabled" },
        }));

    private static V2HorizontalPodAutoscalerBehavior Behavior(int upPeriod, int downWindow, int downPeriod) => new()
    {
        ScaleUp = new V2HPAScalingRules
        {
            StabilizationWindowSeconds = 0,
            Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = upPeriod }],
        },
        ScaleDown = new V2HPAScalingRules
        {
            StabilizationWindowSeconds = downWindow,
            Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = downPeriod }],
        },
    };
}
