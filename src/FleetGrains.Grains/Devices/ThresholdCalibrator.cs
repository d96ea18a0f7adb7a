namespace FleetGrains.Grains.Devices;

/// <summary>How a device learns its threshold from its own scores.</summary>
public sealed record ThresholdPolicy(int CalibrationScores, double Quantile, double Margin, float MinThreshold);

/// <summary>
/// Learns a device's anomaly threshold from its own first <see cref="ThresholdPolicy.CalibrationScores"/>
/// scores: a high quantile of them times a margin, never below a floor. An operator may pin a threshold,
/// which then wins until it is unpinned.
/// </summary>
[GenerateSerializer]
public sealed class ThresholdCalibrator
{
    [Id(0)] private float[]? _scores;
    [Id(1)] private int _collected;
    [Id(2)] private float? _learned;
    [Id(3)] private float? _pinned;

    public float? Learned => _learned;

    public float? Pinned => _pinned;

    public float? Effective => _pinned ?? _learned;

    public int Collected => _collected;

    public bool IsCalibrated => _learned.HasValue;

    /// <summary>Feeds one score; returns true when this score completed the calibration.</summary>
    public bool Observe(float score, ThresholdPolicy policy)
    {
        if (_learned.HasValue)
        {
            return false;
        }

        _scores ??= new float[policy.CalibrationScores];
        if (_scores.Length != policy.CalibrationScores)
        {
            Array.Resize(ref _scores, policy.CalibrationScores);
            _collected = Math.Min(_collected, _scores.Length);
        }

        _scores[_collected++] = score;
        if (_collected < _scores.Length)
        {
            return false;
        }

        _learned = Learn(_scores, policy);
        _scores = null; // the calibration scores are not needed any more: free their memory
        return true;
    }

    public void Pin(float? threshold)
    {
        if (threshold is { } value && !(value > 0 && float.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A pinned threshold must be a positive finite number.");
        }

        _pinned = threshold;
    }

    /// <summary>The <c>Quantile</c> of <paramref name="scores"/> (nearest rank) times the margin, at least the floor.</summary>
    public static float Learn(ReadOnlySpan<float> scores, ThresholdPolicy policy)
    {
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(policy.Quantile * sorted.Length) - 1;
        var quantile = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        return Math.Max(policy.MinThreshold, (float)(quantile * policy.Margin));
    }
}
