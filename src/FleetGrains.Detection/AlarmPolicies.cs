namespace FleetGrains.Detection;

/// <summary>The default alarm policies, the same as a device grain's defaults (<c>Fleet:Devices</c>).</summary>
public static class AlarmPolicies
{
    /// <summary>Episodes as a device opens and ends them by default.</summary>
    public static readonly EpisodePolicy Episodes = new(OpenAfter: 3, CloseAfter: 5, CriticalFactor: 2f, ClearFraction: 0.5, NewNormalAfter: 300);

    /// <summary>For a model's scores (reconstruction or prediction errors): the threshold never below 1e-6.</summary>
    public static readonly AlarmPolicy ModelScores = new(new ThresholdPolicy(CalibrationScores: 100, Quantile: 0.99, Margin: 1.25, MinThreshold: 1e-6f), Episodes);

    /// <summary>For the statistical scorer's scores (root mean square z-scores): the threshold never below 1.</summary>
    public static readonly AlarmPolicy StatisticalScores = ModelScores with { Threshold = ModelScores.Threshold with { MinThreshold = 1f } };
}
