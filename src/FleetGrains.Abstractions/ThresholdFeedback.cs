namespace FleetGrains.Abstractions;

/// <summary>What an operator says about a device's latest alarm.</summary>
[GenerateSerializer]
public enum ThresholdFeedback
{
    /// <summary>The alarm was not a real problem: the learned threshold is raised (bounded).</summary>
    FalsePositive,
}

/// <summary>
/// The answer to feedback: the learned threshold before and after, or why nothing changed
/// (<see cref="Refusal"/>), with the device's snapshot after it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FeedbackOutcome(
    [property: Id(0)] DeviceSnapshot Device,
    [property: Id(1)] float? LearnedBefore,
    [property: Id(2)] float? LearnedAfter,
    [property: Id(3)] string? Refusal);
