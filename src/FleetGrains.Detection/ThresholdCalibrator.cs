namespace FleetGrains.Detection;

/// <summary>
/// Learns a device's anomaly threshold from its own first <see cref="ThresholdPolicy.CalibrationScores"/>
/// scores: a high quantile of them times a margin, never below a floor. False-positive feedback raises it
/// within a bound; a new normal (<see cref="Relearn"/>) learns it again. An operator may pin a threshold, which then
/// wins until it is unpinned. It also keeps the median of the scores it learned from: the device's typical score.
/// </summary>
[GenerateSerializer]
public sealed class ThresholdCalibrator
{
    [Id(0)] private float[]? _scores;
    [Id(1)] private int _collected;
    [Id(2)] private float? _learned;
    [Id(3)] private float? _pinned;
    [Id(4)] private float? _calibrated;
    [Id(5)] private int _falsePositives;
    [Id(6)] private float? _typical;

    public float? Learned => _learned;

    public float? Pinned => _pinned;

    public float? Effective => _pinned ?? _learned;

    public int Collected => _collected;

    public bool IsCalibrated => _learned.HasValue;

    public int FalsePositives => _falsePositives;

    /// <summary>The median of the scores the threshold was learned from; null before calibration.</summary>
    public float? Typical => _typical;

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

        LearnFrom(_scores, policy);
        _scores = null; // the calibration scores are not needed any more: free their memory
        return true;
    }

    /// <summary>
    /// A new normal: the threshold is learned from <paramref name="scores"/> (the device's newest) as at calibration,
    /// and feedback's bound counts from it. A pinned threshold stays pinned.
    /// </summary>
    public void Relearn(ReadOnlySpan<float> scores, ThresholdPolicy policy)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("A threshold is learned from at least one score.", nameof(scores));
        }

        _scores = null;
        _collected = policy.CalibrationScores;
        LearnFrom(scores, policy);
    }

    public void Pin(float? threshold)
    {
        if (threshold is { } value && !(value > 0 && float.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A pinned threshold must be a positive finite number.");
        }

        _pinned = threshold;
    }

    /// <summary>
    /// Raises the learned threshold after a false positive at <paramref name="alarmScore"/>; returns the
    /// learned threshold before and after (equal when the bound is reached), or null before calibration.
    /// </summary>
    public (float Before, float After)? RaiseAfterFalsePositive(float? alarmScore, FeedbackPolicy policy)
    {
        if (_learned is not { } before || _calibrated is not { } calibrated)
        {
            return null;
        }

        var raised = (float)(policy.Raise * Math.Max(before, alarmScore ?? before));
        var after = Math.Max(before, Math.Min(raised, (float)(policy.MaxRaise * calibrated)));
        _learned = after;
        _falsePositives++;
        return (before, after);
    }

    /// <summary>Forgets everything, the pinned threshold included: scores of another scorer have another scale.</summary>
    public void Restart()
    {
        (_scores, _collected, _learned, _calibrated, _pinned, _falsePositives, _typical) = (null, 0, null, null, null, 0, null);
    }

    private void LearnFrom(ReadOnlySpan<float> scores, ThresholdPolicy policy)
    {
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        _learned = _calibrated = LearnFromSorted(sorted, policy);
        _typical = sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>The <c>Quantile</c> of <paramref name="scores"/> (nearest rank) times the margin, at least the floor.</summary>
    public static float Learn(ReadOnlySpan<float> scores, ThresholdPolicy policy)
    {
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        return LearnFromSorted(sorted, policy);
    }

    private static float LearnFromSorted(float[] sorted, ThresholdPolicy policy)
    {
        var rank = (int)Math.Ceiling(policy.Quantile * sorted.Length) - 1;
        var quantile = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        return Math.Max(policy.MinThreshold, (float)(quantile * policy.Margin));
    }
}
