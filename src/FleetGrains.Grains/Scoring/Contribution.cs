using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Scoring;

/// <summary>
/// A feature's share of a score as a device twin keeps it between reads: a value written in place at every scoring,
/// so that explaining the newest score allocates nothing; <see cref="ToFeatureContribution"/> where it is read.
/// </summary>
[GenerateSerializer]
public readonly record struct Contribution(
    [property: Id(0)] int Feature,
    [property: Id(1)] float Deviation,
    [property: Id(2)] float Share,
    [property: Id(3)] bool Stuck)
{
    public FeatureContribution ToFeatureContribution() => new(Feature, Deviation, Share, Stuck);

    public static FeatureContribution[] ToFeatureContributions(ReadOnlySpan<Contribution> contributions)
    {
        var result = new FeatureContribution[contributions.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = contributions[i].ToFeatureContribution();
        }

        return result;
    }
}
