using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// Hysteresis: <see cref="RaiseAfter"/> consecutive scorings at or above a level raise the state to it;
/// <see cref="ClearAfter"/> consecutive scorings below the current level lower it to the highest level
/// seen during that run. A score at or above the threshold is Warning level, at or above
/// threshold × <see cref="CriticalFactor"/> Critical level.
/// </summary>
public readonly record struct HysteresisPolicy(int RaiseAfter, int ClearAfter, float CriticalFactor);

/// <summary>The score-driven part of a device's health (Offline is decided by time, elsewhere).</summary>
[GenerateSerializer]
public sealed class HealthStateMachine
{
    [Id(0)] private HealthState _state = HealthState.Unknown;
    [Id(1)] private int _runAtOrAboveWarning;
    [Id(2)] private int _runAtOrAboveCritical;
    [Id(3)] private int _runBelowCurrent;
    [Id(4)] private HealthState _highestInBelowRun = HealthState.Healthy;

    public HealthState State => _state;

    /// <summary>Feeds one scoring; returns true when the state changed.</summary>
    public bool Observe(float score, float threshold, HysteresisPolicy policy)
    {
        var level = Classify(score, threshold, policy.CriticalFactor);
        _runAtOrAboveWarning = level >= HealthState.Warning ? _runAtOrAboveWarning + 1 : 0;
        _runAtOrAboveCritical = level >= HealthState.Critical ? _runAtOrAboveCritical + 1 : 0;

        var previous = _state;
        if (_state == HealthState.Unknown)
        {
            _state = HealthState.Healthy;
        }

        if (_state < HealthState.Critical && _runAtOrAboveCritical >= policy.RaiseAfter)
        {
            MoveTo(HealthState.Critical);
        }
        else if (_state < HealthState.Warning && _runAtOrAboveWarning >= policy.RaiseAfter)
        {
            MoveTo(HealthState.Warning);
        }
        else if (level < _state)
        {
            _runBelowCurrent++;
            _highestInBelowRun = level > _highestInBelowRun ? level : _highestInBelowRun;
            if (_runBelowCurrent >= policy.ClearAfter)
            {
                MoveTo(_highestInBelowRun);
            }
        }
        else
        {
            ResetBelowRun();
        }

        return _state != previous;
    }

    private void MoveTo(HealthState state)
    {
        _state = state;
        ResetBelowRun();
    }

    private void ResetBelowRun()
    {
        _runBelowCurrent = 0;
        _highestInBelowRun = HealthState.Healthy;
    }

    private static HealthState Classify(float score, float threshold, float criticalFactor) =>
        score >= threshold * criticalFactor ? HealthState.Critical
        : score >= threshold ? HealthState.Warning
        : HealthState.Healthy;
}
