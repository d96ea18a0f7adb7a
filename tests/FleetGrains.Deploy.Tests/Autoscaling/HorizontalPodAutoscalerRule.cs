using k8s.Models;

namespace FleetGrains.Deploy.Tests;

/// <summary>
/// The Kubernetes HorizontalPodAutoscaler's decision for one external metric with an <c>AverageValue</c> target (what a
/// KEDA <c>prometheus</c> trigger becomes), as the controller makes it at every sync: the replica calculator
/// (desired = ceil(metric / target), unless current × target is within the 10 % tolerance), then the behaviour's
/// stabilisation windows (the lowest recommendation of the scale-up window, the highest of the scale-down window),
/// then its rate policies (the most change any policy allows in its period, given the changes made in it), bounded by
/// the minimum and maximum replicas. After kube-controller-manager's horizontal.go and replica_calculator.go.
/// </summary>
public sealed class HorizontalPodAutoscalerRule
{
    public const double Tolerance = 0.1;

    private readonly int _minReplicas;
    private readonly int _maxReplicas;
    private readonly double _targetAverageValue;
    private readonly V2HorizontalPodAutoscalerBehavior _behavior;
    private readonly List<(DateTimeOffset At, int Replicas)> _recommendations = [];
    private readonly List<(DateTimeOffset At, int Added)> _scaleUps = [];
    private readonly List<(DateTimeOffset At, int Removed)> _scaleDowns = [];

    public HorizontalPodAutoscalerRule(int minReplicas, int maxReplicas, double targetAverageValue, V2HorizontalPodAutoscalerBehavior behavior)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minReplicas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, minReplicas);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetAverageValue);
        foreach (var rules in new[] { behavior.ScaleUp, behavior.ScaleDown })
        {
            if (rules?.SelectPolicy is not (null or "Max"))
            {
                throw new NotSupportedException($"selectPolicy {rules.SelectPolicy}: this rule follows the default, Max.");
            }
        }

        _minReplicas = minReplicas;
        _maxReplicas = maxReplicas;
        _targetAverageValue = targetAverageValue;
        _behavior = behavior;
    }

    public int MinReplicas => _minReplicas;

    public int MaxReplicas => _maxReplicas;

    /// <summary>The replica count to set at <paramref name="now"/>, with <paramref name="currentReplicas"/> set and the metric's total at <paramref name="metric"/>; remembers the change.</summary>
    public int Decide(DateTimeOffset now, int currentReplicas, double metric)
    {
        var proposed = Calculate(currentReplicas, metric);
        var stabilized = Stabilize(now, currentReplicas, proposed);
        var desired = LimitRate(now, currentReplicas, stabilized);
        if (desired > currentReplicas)
        {
            _scaleUps.Add((now, desired - currentReplicas));
        }
        else if (desired < currentReplicas)
        {
            _scaleDowns.Add((now, currentReplicas - desired));
        }

        return desired;
    }

    private int Calculate(int currentReplicas, double metric)
    {
        var usageRatio = metric / (_targetAverageValue * currentReplicas);
        return Math.Abs(1 - usageRatio) <= Tolerance ? currentReplicas : (int)Math.Ceiling(metric / _targetAverageValue);
    }

    private int Stabilize(DateTimeOffset now, int currentReplicas, int proposed)
    {
        var upCutoff = now.AddSeconds(-(_behavior.ScaleUp?.StabilizationWindowSeconds ?? 0));
        var downCutoff = now.AddSeconds(-(_behavior.ScaleDown?.StabilizationWindowSeconds ?? 300));
        if (_recommendations.Count == 0)
        {
            _recommendations.Add((now, currentReplicas)); // the controller's first sync: no scale-down before the window has passed
        }

        int up = proposed, down = proposed;
        foreach (var (at, replicas) in _recommendations)
        {
            if (at > upCutoff)
            {
                up = Math.Min(up, replicas);
            }

            if (at > downCutoff)
            {
                down = Math.Max(down, replicas);
            }
        }

        _recommendations.RemoveAll(r => r.At <= upCutoff && r.At <= downCutoff);
        _recommendations.Add((now, proposed));
        return Math.Min(Math.Max(currentReplicas, up), down);
    }

    private int LimitRate(DateTimeOffset now, int currentReplicas, int desired)
    {
        if (desired > currentReplicas)
        {
            var limit = Math.Max(currentReplicas, ScaleUpLimit(now, currentReplicas));
            return Math.Min(desired, Math.Min(_maxReplicas, limit));
        }

        if (desired < currentReplicas)
        {
            var limit = Math.Min(currentReplicas, ScaleDownLimit(now, currentReplicas));
            return Math.Max(desired, Math.Max(_minReplicas, limit));
        }

        return desired;
    }

    private int ScaleUpLimit(DateTimeOffset now, int currentReplicas)
    {
        var policies = _behavior.ScaleUp?.Policies ?? [];
        if (policies.Count == 0)
        {
            return int.MaxValue;
        }

        return policies.Max(policy =>
        {
            var periodStart = currentReplicas - ChangedWithin(_scaleUps, now, policy) + ChangedWithin(_scaleDowns, now, policy);
            return policy.Type == "Pods" ? periodStart + policy.Value : (int)Math.Ceiling(periodStart * (1 + (policy.Value / 100.0)));
        });
    }

    private int ScaleDownLimit(DateTimeOffset now, int currentReplicas)
    {
        var policies = _behavior.ScaleDown?.Policies ?? [];
        if (policies.Count == 0)
        {
            return int.MinValue;
        }

        return policies.Min(policy =>
        {
            var periodStart = currentReplicas - ChangedWithin(_scaleUps, now, policy) + ChangedWithin(_scaleDowns, now, policy);
            return policy.Type == "Pods" ? periodStart - policy.Value : (int)(periodStart * (1 - (policy.Value / 100.0)));
        });
    }

    private static int ChangedWithin(List<(DateTimeOffset At, int Replicas)> changes, DateTimeOffset now, V2HPAScalingPolicy policy) =>
        changes.Where(c => c.At > now.AddSeconds(-policy.PeriodSeconds)).Sum(c => c.Replicas);
}
