namespace FleetGrains.Detection;

/// <summary>
/// The alarm policy of one device (<see cref="AlarmPolicy"/>): its threshold, learned from its own scores, and the
/// episodes its scores make. The device grains, <c>fleetctl replay</c> and <c>fleetctl eval</c> feed it the same
/// way, one score at a time in order, so that they raise the same alarms on the same scores.
/// </summary>
/// <remarks>
/// An episode keeps its newest scores (for a new normal) only while it is open: a quiet device holds no buffer.
/// </remarks>
[GenerateSerializer]
public sealed class AlarmDetector
{
    [Id(0)] private readonly ThresholdCalibrator _threshold = new();
    [Id(1)] private AlarmLevel _level;

    // The run of scores above the threshold that may open an episode.
    [Id(2)] private int _aboveRun;
    [Id(3)] private long _runStart;
    [Id(4)] private float _runPeak;
    [Id(5)] private long _runPeakAt;

    // The open episode.
    [Id(6)] private long _start;
    [Id(7)] private float _peak;
    [Id(8)] private long _peakAt;
    [Id(9)] private int _length;
    [Id(10)] private int _clearRun;
    [Id(11)] private long _lastUnclearAt;
    [Id(12)] private float[]? _recent;
    [Id(13)] private int _recentNext;
    [Id(14)] private int _recentCount;

    public ThresholdCalibrator Threshold => _threshold;

    public AlarmLevel Level => _level;

    public bool InEpisode => _level >= AlarmLevel.Warning;

    /// <summary>The open episode so far (its end being the newest score), or null when none is open.</summary>
    public AlarmEpisode? OpenEpisode(long newest) =>
        InEpisode ? new AlarmEpisode(_start, newest, _peakAt, _peak, _level, NewNormal: false) : null;

    /// <summary>Feeds the score at <paramref name="at"/> (later than every position fed before).</summary>
    public AlarmStep Observe(float score, long at, AlarmPolicy policy)
    {
        _threshold.Observe(score, policy.Threshold);
        var before = _level;
        if (_threshold.Effective is not { } threshold)
        {
            return new AlarmStep(before, before, null);
        }

        if (_level == AlarmLevel.Unknown)
        {
            _level = AlarmLevel.Normal;
        }

        var episodes = policy.Episodes;
        var critical = score > threshold * episodes.CriticalFactor;
        if (!InEpisode)
        {
            WatchForOpening(score, at, threshold, critical, policy);
            return new AlarmStep(before, _level, null);
        }

        _length = _length == int.MaxValue ? _length : _length + 1; // a pinned threshold's episode has no length limit
        Remember(score, policy.Threshold);
        if (score > _peak)
        {
            (_peak, _peakAt) = (score, at);
        }

        if (critical)
        {
            _level = AlarmLevel.Critical;
        }

        if (score <= ClearLevel(threshold, episodes))
        {
            if (++_clearRun >= episodes.CloseAfter)
            {
                return new AlarmStep(before, AlarmLevel.Normal, Close(_lastUnclearAt, newNormal: false));
            }
        }
        else
        {
            _clearRun = 0;
            _lastUnclearAt = at;
        }

        if (_length >= episodes.NewNormalAfter && _threshold.Pinned is null)
        {
            _threshold.Relearn(Newest(), policy.Threshold);
            return new AlarmStep(before, AlarmLevel.Normal, Close(at, newNormal: true));
        }

        return new AlarmStep(before, _level, null);
    }

    /// <summary>
    /// The scorer changed: its scores have another scale, so the threshold is learned afresh (a pinned one is
    /// dropped); an open episode stays open until the new threshold judges the scores.
    /// </summary>
    public void RestartThreshold() => _threshold.Restart();

    // Below this (or at it) a score counts towards clearing: part of the way from the typical score up to the
    // threshold, so that an episode does not end and open again on scores hovering around the threshold.
    private float ClearLevel(float threshold, EpisodePolicy episodes)
    {
        var typical = Math.Min(_threshold.Typical ?? 0, threshold);
        return (float)(typical + (episodes.ClearFraction * (threshold - typical)));
    }

    private void WatchForOpening(float score, long at, float threshold, bool critical, AlarmPolicy policy)
    {
        var episodes = policy.Episodes;
        if (score <= threshold)
        {
            _aboveRun = 0;
            return;
        }

        if (_aboveRun++ == 0 || score > _runPeak)
        {
            (_runPeak, _runPeakAt) = (score, at);
        }

        if (_aboveRun == 1)
        {
            _runStart = at;
        }

        if (_aboveRun < episodes.OpenAfter && !critical)
        {
            return;
        }

        _level = critical ? AlarmLevel.Critical : AlarmLevel.Warning;
        (_start, _peak, _peakAt, _length) = (_runStart, _runPeak, _runPeakAt, _aboveRun);
        (_clearRun, _lastUnclearAt, _aboveRun) = (0, at, 0);
        (_recent, _recentNext, _recentCount) = (null, 0, 0);
        Remember(score, policy.Threshold);
    }

    private AlarmEpisode Close(long end, bool newNormal)
    {
        var ended = new AlarmEpisode(_start, end, _peakAt, _peak, _level, newNormal);
        (_level, _length, _clearRun, _aboveRun) = (AlarmLevel.Normal, 0, 0, 0);
        (_recent, _recentNext, _recentCount) = (null, 0, 0);
        return ended;
    }

    // The episode's newest scores, as many as a calibration takes, in a ring made when the episode opens.
    private void Remember(float score, ThresholdPolicy policy)
    {
        _recent ??= new float[policy.CalibrationScores];
        _recent[_recentNext] = score;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _recentCount = Math.Min(_recentCount + 1, _recent.Length);
    }

    private ReadOnlySpan<float> Newest() => _recent.AsSpan(0, _recentCount);
}
