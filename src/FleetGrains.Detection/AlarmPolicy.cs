namespace FleetGrains.Detection;

/// <summary>
/// How a device learns its threshold from its own scores: the <see cref="Quantile"/> of its first
/// <see cref="CalibrationScores"/> scores times <see cref="Margin"/>, never below <see cref="MinThreshold"/>.
/// </summary>
public readonly record struct ThresholdPolicy(int CalibrationScores, double Quantile, double Margin, float MinThreshold);

/// <summary>
/// How far false-positive feedback moves a learned threshold: each time to <c>Raise</c> × the larger of
/// the threshold and the score that alarmed, never beyond <c>MaxRaise</c> × the calibrated threshold.
/// </summary>
public readonly record struct FeedbackPolicy(double Raise, double MaxRaise);

/// <summary>
/// How scores above the threshold become alarm episodes.
/// <list type="bullet">
/// <item><see cref="OpenAfter"/> consecutive scores above the threshold open an episode (Warning): a shorter excursion
/// is noise. A score above threshold × <see cref="CriticalFactor"/> opens one at once, or makes the open one, Critical:
/// a spike is an incident. A score equal to the threshold never counts.</item>
/// <item><see cref="CloseAfter"/> consecutive scores at or below the clear level end it: the clear level lies
/// <see cref="ClearFraction"/> of the way from the device's typical score up to the threshold (hysteresis).</item>
/// <item>An episode still open after <see cref="NewNormalAfter"/> scores ends as a new normal: the threshold is
/// learned again from the episode's newest scores (at most <see cref="ThresholdPolicy.CalibrationScores"/>), unless
/// an operator pinned it.</item>
/// </list>
/// </summary>
public readonly record struct EpisodePolicy(int OpenAfter, int CloseAfter, float CriticalFactor, double ClearFraction, int NewNormalAfter);

/// <summary>A device's whole alarm policy: how its threshold is learned and how alarms become episodes.</summary>
public readonly record struct AlarmPolicy(ThresholdPolicy Threshold, EpisodePolicy Episodes)
{
    /// <summary>The policy in words, for the tools that print what they measured.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"threshold = the {Threshold.Quantile:0.0##} quantile of the calibration scores × {Threshold.Margin:0.0##} (at least {Threshold.MinThreshold:G3}); "
        + $"an alarm episode opens after {Episodes.OpenAfter} scores above it in a row (at once above {Episodes.CriticalFactor:0.0#}× it, Critical), "
        + $"ends after {Episodes.CloseAfter} at or below the clear level ({Episodes.ClearFraction:0.0#} of the way from the typical score to the threshold), "
        + $"and ends as a new normal after {Episodes.NewNormalAfter} scores");

    /// <summary>Why the policy cannot work, or null when it can.</summary>
    public string? Problem() => this switch
    {
        { Threshold.CalibrationScores: < 1 } => "CalibrationScores must be at least 1.",
        { Threshold.Quantile: not (> 0 and <= 1) } => "Quantile must be in (0, 1].",
        { Threshold.Margin: not (>= 1 and < double.PositiveInfinity) } => "Margin must be a finite number of at least 1.",
        { Threshold.MinThreshold: not (> 0 and < float.PositiveInfinity) } => "MinThreshold must be a positive finite number: a threshold of 0 would alarm on a flat score of 0.",
        { Episodes.OpenAfter: < 1 } => "OpenAfter must be at least 1.",
        { Episodes.CloseAfter: < 1 } => "CloseAfter must be at least 1.",
        { Episodes.CriticalFactor: not (>= 1 and < float.PositiveInfinity) } => "CriticalFactor must be a finite number of at least 1.",
        { Episodes.ClearFraction: not (>= 0 and <= 1) } => "ClearFraction must be in [0, 1].",
        _ when Episodes.NewNormalAfter < Math.Max(10, Episodes.OpenAfter + Episodes.CloseAfter) =>
            "NewNormalAfter must be at least 10 scores and more than OpenAfter + CloseAfter.",
        _ => null,
    };
}
