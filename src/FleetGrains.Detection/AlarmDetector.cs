namespace FleetGrains.Detection;

/// <summary>
/// The alarm policy of one device (<see cref="AlarmPolicy"/>): its threshold, learned from its own scores, and the
/// episodes its scores make. The device grains, <c>fleetctl replay</c> and <c>fleetctl eval</c> feed it the same
/// way, one score at a time in order, so that they raise the same alarms on the same scores.
/// </summary>
/// <remarks>
/// An episode's state and its newest scores (for a new normal) exist only while it is open: a quiet device holds neither.
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

    // The open episode, only while one is open: a device holds it for the length of an incident, not for its life.
    [Id(6)] private OpenEpisodeState? _open;

    public ThresholdCalibrator Threshold => _threshold;

    public AlarmLevel Level => _level;

    public bool InEpisode => _open is not null;

    /// <summary>The open episode so far (its end being the newest score), or null when none is open.</summary>
    public AlarmEpisode? OpenEpisode(long newest) =>
        _open is { } open ? new AlarmEpisode(open.Start, newest, open.PeakAt, open.Peak, _level, NewNormal: false) : null;

    /// <summary>Feeds the score at <paramref name="at"/> (later than every position fed before).</summary>
    public AlarmStep Observe(float score, long at, AlarmPolicy policy)
    {
        var calibrating = _threshold.Effective is null;
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

        if (calibrating)
        {
            // The score that completes the calibration is one of those that define normal: it is never judged.
            return new AlarmStep(before, _level, null);
        }

        var episodes = policy.Episodes;
        var critical = score > threshold * episodes.CriticalFactor;
        if (!InEpisode)
        {
            WatchForOpening(score, at, threshold, critical, policy);
            return new AlarmStep(before, _level, null);
        }

        var open = _open!;
        open.Add(score, at);
        if (critical)
        {
            _level = AlarmLevel.Critical;
        }

        if (score <= ClearLevel(threshold, episodes))
        {
            if (++open.ClearRun >= episodes.CloseAfter)
            {
                return new AlarmStep(before, AlarmLevel.Normal, Close(open.LastUnclearAt, newNormal: false));
            }
        }
        else
        {
            open.ClearRun = 0;
            open.LastUnclearAt = at;
        }

        if (open.Length >= episodes.NewNormalAfter && _threshold.Pinned is null)
        {
            _threshold.Relearn(open.Newest(), policy.Threshold);
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
        _open = new OpenEpisodeState(_runStart, _runPeak, _runPeakAt, _aboveRun - 1, at, policy.Threshold.CalibrationScores);
        _open.Add(score, at);
        _aboveRun = 0;
    }

    private AlarmEpisode Close(long end, bool newNormal)
    {
        var ended = new AlarmEpisode(_open!.Start, end, _open.PeakAt, _open.Peak, _level, newNormal);
        (_level, _open, _aboveRun) = (AlarmLevel.Normal, null, 0);
        return ended;
    }
}
