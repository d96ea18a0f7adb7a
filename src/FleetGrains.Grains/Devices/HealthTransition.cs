using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>A change of a device's score-driven health, with the scoring that caused it.</summary>
public sealed record HealthTransition(
    HealthState From,
    HealthState To,
    float Score,
    float Threshold,
    long Seq,
    long Timestamp,
    FeatureContribution[] TopContributors);
