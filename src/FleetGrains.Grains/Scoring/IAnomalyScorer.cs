using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Scoring;

/// <summary>
/// Scores a device's window: the higher, the more anomalous. The newest sample is in
/// <c>window</c> but not yet in <c>statistics</c>, so an anomaly is never measured against itself.
/// Scores are compared only with the same device's own threshold, so a scorer may use any scale.
/// </summary>
public interface IAnomalyScorer
{
    /// <summary>
    /// The score and its explanation: at most <paramref name="topCount"/> features whose share of the
    /// score is at least <paramref name="minShare"/>, largest first (ties by feature index).
    /// </summary>
    AnomalyScore Score(RingBuffer window, RunningStatistics statistics, int topCount, float minShare = 0.05f);
}

/// <summary>A score and the features that contributed most to it.</summary>
public sealed record AnomalyScore(float Value, FeatureContribution[] Top);
