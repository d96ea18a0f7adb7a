using FleetGrains.Abstractions;
using FleetGrains.Detection;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// A change of a device's score-driven health, with the scoring that caused it, and the alarm episode it raised, made
/// Critical (as it stands after that scoring) or ended; no episode for the first judgement (Unknown → Healthy).
/// </summary>
public sealed record HealthTransition(
    HealthState From,
    HealthState To,
    float Score,
    float Threshold,
    long Seq,
    long Timestamp,
    FeatureContribution[] TopContributors)
{
    public AlarmEpisode? Episode { get; init; }
}
