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
    /// The score of the newest sample, allocating nothing: each feature's deviation goes into
    /// <paramref name="explanation"/>, from which <see cref="ScoreExplanation.Top"/> explains it where the
    /// explanation is read.
    /// </summary>
    float Score(RingBuffer window, RunningStatistics statistics, ScoreExplanation explanation);
}

public static class AnomalyScorerExtensions
{
    /// <summary>
    /// The score and its explanation: at most <paramref name="topCount"/> features whose share of the
    /// score is at least <paramref name="minShare"/>, largest first (ties by feature index).
    /// </summary>
    public static AnomalyScore Score(this IAnomalyScorer scorer, RingBuffer window, RunningStatistics statistics, int topCount, float minShare = 0.05f)
    {
        var explanation = new ScoreExplanation(window.Features);
        var value = scorer.Score(window, statistics, explanation);
        return new AnomalyScore(value, explanation.Top(topCount, minShare));
    }
}

/// <summary>A score and the features that contributed most to it.</summary>
public sealed record AnomalyScore(float Value, FeatureContribution[] Top);
