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
    AnomalyScore Score(RingBuffer window, RunningStatistics statistics);
}

/// <summary>A score and every feature's contribution to it (shares add up to 1 when the score is above 0).</summary>
public sealed record AnomalyScore(float Value, FeatureContribution[] Contributions)
{
    /// <summary>The <paramref name="count"/> largest contributions, largest first, leaving out negligible ones.</summary>
    public FeatureContribution[] Top(int count, float minShare = 0.05f) =>
        Contributions
            .Where(c => c.Share >= minShare)
            .OrderByDescending(c => c.Share)
            .ThenBy(c => c.Feature)
            .Take(count)
            .ToArray();
}
