using FleetGrains.Detection;

namespace FleetGrains.Grains.Devices;

/// <summary>How device grains keep, score and report their state; bound from <c>Fleet:Devices</c>.</summary>
public sealed class DeviceOptions
{
    public const string Section = "Fleet:Devices";

    /// <summary>Samples kept in each device's rolling window (W), unless its fleet says otherwise.</summary>
    public int WindowSize { get; set; } = 64;

    /// <summary>Samples accepted before the first scoring, so that the statistics mean something.</summary>
    public int WarmupSamples { get; set; } = 16;

    /// <summary>Score every this-many accepted samples (1 = every sample).</summary>
    public int ScoreEvery { get; set; } = 1;

    /// <summary>
    /// Also score when this much device time (sample timestamps) passed since the last scoring, even if
    /// fewer than <see cref="ScoreEvery"/> samples came. Unset: by sample count only.
    /// </summary>
    public TimeSpan? ScoreInterval { get; set; }

    /// <summary>
    /// Recent scorings each device keeps in memory for <c>GET /api/devices/{fleet}/{device}/scores</c>
    /// (25 bytes each, allocated at a device's first scoring); 0 keeps none.
    /// </summary>
    public int ScoreHistory { get; set; } = 32;

    /// <summary>Scores a device collects before it learns its threshold.</summary>
    public int CalibrationScores { get; set; } = 100;

    /// <summary>The quantile of the calibration scores the learned threshold starts from.</summary>
    public double ThresholdQuantile { get; set; } = 0.99;

    /// <summary>The learned threshold is the quantile times this margin.</summary>
    public double ThresholdMargin { get; set; } = 1.25;

    /// <summary>The learned threshold of the statistical scorer is never below this.</summary>
    public float MinThreshold { get; set; } = 1.0f;

    /// <summary>The learned threshold on a model's scores (reconstruction errors) is never below this.</summary>
    public float ModelMinThreshold { get; set; } = 1e-6f;

    /// <summary>False-positive feedback raises the learned threshold to this × max(threshold, alarming score).</summary>
    public double FalsePositiveRaise { get; set; } = 1.2;

    /// <summary>Feedback never raises the learned threshold beyond this × its calibrated value.</summary>
    public double MaxFalsePositiveRaise { get; set; } = 4.0;

    /// <summary>An alarm episode is Critical once <see cref="RaiseAfter"/> consecutive scores were above threshold × this factor.</summary>
    public float CriticalFactor { get; set; } = 2.0f;

    /// <summary>Consecutive scorings above the threshold that open an alarm episode (Warning health).</summary>
    public int RaiseAfter { get; set; } = 3;

    /// <summary>Consecutive scorings at or below the clear level that end an alarm episode (Healthy again).</summary>
    public int ClearAfter { get; set; } = 5;

    /// <summary>Where the clear level lies, from the device's typical score (0) up to its threshold (1).</summary>
    public double ClearFraction { get; set; } = 0.5;

    /// <summary>
    /// Scorings after which an alarm episode that has not cleared ends as the device's new normal: its threshold is
    /// learned again from the episode's newest scores (a device scored by the statistical scorer learns its baseline
    /// and threshold again from its newest samples instead). Not while a threshold is pinned.
    /// </summary>
    public int NewNormalAfter { get; set; } = 300;

    /// <summary>After the warm-up, a reading further than this many standard deviations from its feature's mean does not update that feature's statistics.</summary>
    public double StatisticsOutlierSigmas { get; set; } = 3.5;

    /// <summary>
    /// Samples the statistical scorer's baseline (each feature's mean and variance) learns from; then it stays as it
    /// is until a new normal is accepted (<see cref="NewNormalAfter"/>). A baseline that kept learning would follow a
    /// slow drift, which then never alarms.
    /// </summary>
    public int BaselineSamples { get; set; } = 1_000;

    /// <summary>Top contributing features kept with each score.</summary>
    public int TopContributors { get; set; } = 3;

    /// <summary>How often a device with unsaved changes writes its state.</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a device writes its state before it answers an ingest call that changed it, so that a source
    /// acknowledges only what is stored (a failed write fails the call; sending again is safe). Off, a crash
    /// loses up to <see cref="PersistInterval"/> of acknowledged samples. On by default with Redis storage.
    /// </summary>
    public bool WriteBeforeAcknowledge { get; set; }

    /// <summary>
    /// How far behind the newest applied seq a sample may arrive and still be accepted (as a late sample)
    /// rather than ignored as a replay; 0 treats every older seq as a replay. Costs one bit per seq per device.
    /// </summary>
    public int ReorderWindow { get; set; } = 256;

    /// <summary>
    /// How far ahead of a device's last applied seq a sample may jump; a sample further ahead is rejected with
    /// the reason (its source dead-letters it), since accepting it would make every real event after it a
    /// duplicate. The default lets devices that number events by Unix milliseconds stay silent for 11 days.
    /// A device's first seq is taken as it comes.
    /// </summary>
    public long MaxSeqJump { get; set; } = 1_000_000_000;

    /// <summary>At most one status report per device to its fleet shard in this interval.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A change of score relative to the threshold at least this large is reported.</summary>
    public float SeverityReportStep { get; set; } = 0.2f;

    /// <summary>A device becomes Offline after this many of its own observed reporting intervals without a report.</summary>
    public double OfflineMultiple { get; set; } = 5.0;

    /// <summary>A device is never declared Offline sooner than this after its last report.</summary>
    public TimeSpan MinOfflineTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The reporting interval assumed until a device has reported twice.</summary>
    public TimeSpan InitialReportingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per-fleet overrides, by fleet id: window size and the required number of features.</summary>
    public Dictionary<string, FleetProfile> Fleets { get; set; } = new(StringComparer.Ordinal);

    public int WindowSizeFor(string fleetId) =>
        Fleets.TryGetValue(fleetId, out var profile) && profile.WindowSize is { } w ? w : WindowSize;

    public int? FeatureCountFor(string fleetId) =>
        Fleets.TryGetValue(fleetId, out var profile) ? profile.FeatureCount : null;

    public ThresholdPolicy ThresholdPolicy => new(CalibrationScores, ThresholdQuantile, ThresholdMargin, MinThreshold);

    public ThresholdPolicy ModelThresholdPolicy => ThresholdPolicy with { MinThreshold = ModelMinThreshold };

    public FeedbackPolicy FeedbackPolicy => new(FalsePositiveRaise, MaxFalsePositiveRaise);

    public EpisodePolicy EpisodePolicy => new(RaiseAfter, ClearAfter, CriticalFactor, ClearFraction, NewNormalAfter);

    public AlarmPolicy AlarmPolicy => new(ThresholdPolicy, EpisodePolicy);

    public AlarmPolicy ModelAlarmPolicy => new(ModelThresholdPolicy, EpisodePolicy);
}

/// <summary>What one fleet's devices look like. Unset values fall back to the device defaults.</summary>
public sealed class FleetProfile
{
    /// <summary>Samples in each device's window (W).</summary>
    public int? WindowSize { get; set; }

    /// <summary>Values per sample (F). When unset, each device keeps the count of its first accepted sample.</summary>
    public int? FeatureCount { get; set; }
}
