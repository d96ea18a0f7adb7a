using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Scoring;

/// <summary>Knobs of <see cref="StatisticalScorer"/>, bound from <c>Fleet:Scoring</c>.</summary>
public sealed class StatisticalScorerOptions
{
    public const string Section = "Fleet:Scoring";

    /// <summary>A feature whose last this-many values are identical, while it normally varies, counts as stuck.</summary>
    public int StuckRunLength { get; set; } = 8;

    /// <summary>The deviation (in standard deviations) a stuck feature contributes.</summary>
    public float StuckDeviation { get; set; } = 12f;

    /// <summary>Deviations are clipped to ± this, so one broken sensor cannot make the score infinite.</summary>
    public float MaxDeviation { get; set; } = 100f;

    /// <summary>
    /// A floor for the standard deviation, relative to the feature's magnitude (max(1, |mean|)), so that
    /// a feature that never varied does not turn the smallest change into an infinite deviation.
    /// </summary>
    public double RelativeStdDevFloor { get; set; } = 1e-3;
}

public sealed class StatisticalScorerOptionsValidator : IValidateOptions<StatisticalScorerOptions>
{
    public ValidateOptionsResult Validate(string? name, StatisticalScorerOptions options)
    {
        var failures = new List<string>();
        if (options.StuckRunLength < 2)
        {
            failures.Add($"{StatisticalScorerOptions.Section}:StuckRunLength must be at least 2 (was {options.StuckRunLength}).");
        }

        if (!(options.StuckDeviation > 0) || !(options.MaxDeviation > 0))
        {
            failures.Add($"{StatisticalScorerOptions.Section}:StuckDeviation and MaxDeviation must be positive.");
        }

        if (!(options.RelativeStdDevFloor > 0))
        {
            failures.Add($"{StatisticalScorerOptions.Section}:RelativeStdDevFloor must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
