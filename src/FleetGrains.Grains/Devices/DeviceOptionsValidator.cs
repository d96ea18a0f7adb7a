using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Devices;

public sealed class DeviceOptionsValidator : IValidateOptions<DeviceOptions>
{
    public ValidateOptionsResult Validate(string? name, DeviceOptions o)
    {
        var failures = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add($"{DeviceOptions.Section}:{message}");
            }
        }

        Require(o.WindowSize is >= 2 and <= 100_000, $"WindowSize must be between 2 and 100000 (was {o.WindowSize}).");
        Require(o.WarmupSamples >= 2, $"WarmupSamples must be at least 2 (was {o.WarmupSamples}).");
        Require(o.BaselineSamples >= o.WarmupSamples, $"BaselineSamples must be at least WarmupSamples (were {o.BaselineSamples}, {o.WarmupSamples}).");
        Require(o.ScoreEvery >= 1, $"ScoreEvery must be at least 1 (was {o.ScoreEvery}).");
        Require(o.ScoreInterval is null || o.ScoreInterval > TimeSpan.Zero, $"ScoreInterval must be positive when set (was {o.ScoreInterval}).");
        Require(o.ModelMinThreshold > 0 && float.IsFinite(o.ModelMinThreshold), $"ModelMinThreshold must be positive (was {o.ModelMinThreshold}).");
        Require(o.FalsePositiveRaise > 1 && o.MaxFalsePositiveRaise >= o.FalsePositiveRaise, $"FalsePositiveRaise must be above 1 and MaxFalsePositiveRaise at least as large (were {o.FalsePositiveRaise}, {o.MaxFalsePositiveRaise}).");
        Require(o.ScoreHistory is >= 0 and <= 100_000, $"ScoreHistory must be between 0 and 100000 (was {o.ScoreHistory}).");
        Require(o.CalibrationScores >= 1, $"CalibrationScores must be at least 1 (was {o.CalibrationScores}).");
        Require(o.ThresholdQuantile is > 0 and <= 1, $"ThresholdQuantile must be in (0, 1] (was {o.ThresholdQuantile}).");
        Require(o.ThresholdMargin >= 1, $"ThresholdMargin must be at least 1 (was {o.ThresholdMargin}).");
        Require(o.MinThreshold > 0 && float.IsFinite(o.MinThreshold), $"MinThreshold must be positive (was {o.MinThreshold}).");
        Require(o.CriticalFactor > 1, $"CriticalFactor must be above 1 (was {o.CriticalFactor}).");
        Require(o.RaiseAfter >= 1 && o.ClearAfter >= 1, "RaiseAfter and ClearAfter must be at least 1.");
        Require(o.ClearFraction is >= 0 and <= 1, $"ClearFraction must be between 0 and 1 (was {o.ClearFraction}).");
        Require(o.AlarmPolicy.Problem() is null, $"The alarm policy cannot work: {o.AlarmPolicy.Problem()} (NewNormalAfter {o.NewNormalAfter}, RaiseAfter {o.RaiseAfter}, ClearAfter {o.ClearAfter}).");
        Require(o.StatisticsOutlierSigmas > 0, $"StatisticsOutlierSigmas must be positive (was {o.StatisticsOutlierSigmas}).");
        Require(o.TopContributors >= 1, $"TopContributors must be at least 1 (was {o.TopContributors}).");
        Require(o.PersistInterval > TimeSpan.Zero && o.ReportInterval > TimeSpan.Zero, "PersistInterval and ReportInterval must be positive.");
        Require(o.MaxSeqJump >= 1, $"MaxSeqJump must be at least 1 (was {o.MaxSeqJump}).");
        Require(o.ReorderWindow is >= 0 and <= 65_536, $"ReorderWindow must be between 0 and 65536 (was {o.ReorderWindow}).");
        Require(o.SeverityReportStep > 0, $"SeverityReportStep must be positive (was {o.SeverityReportStep}).");
        Require(o.OfflineMultiple >= 1, $"OfflineMultiple must be at least 1 (was {o.OfflineMultiple}).");
        Require(o.MinOfflineTimeout > TimeSpan.Zero && o.InitialReportingInterval > TimeSpan.Zero, "MinOfflineTimeout and InitialReportingInterval must be positive.");
        foreach (var (fleetId, profile) in o.Fleets)
        {
            Require(profile.WindowSize is null or (>= 2 and <= 100_000), $"Fleets:{fleetId}:WindowSize must be between 2 and 100000.");
            Require(profile.FeatureCount is null or (>= 1 and <= 4096), $"Fleets:{fleetId}:FeatureCount must be between 1 and 4096.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
