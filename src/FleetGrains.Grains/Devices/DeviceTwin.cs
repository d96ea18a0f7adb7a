using FleetGrains.Abstractions;
using FleetGrains.Detection;
using FleetGrains.Grains.Scoring;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The state of one device and the rules that change it: window, statistics, sequence idempotence,
/// scoring cadence, learned threshold, health, remaining useful life and the liveness clock. It does no
/// I/O; <see cref="DeviceGrain"/> persists and reports it, and sends the windows it captured to the
/// models. It is also the persisted state itself, so nothing is copied to save it.
/// </summary>
[GenerateSerializer]
public sealed class DeviceTwin
{
    [Id(0)] private RingBuffer _window;
    [Id(1)] private RunningStatistics _statistics;
    // Ids 2 and 3 held the threshold and the health state machine before the alarm detector (Id 27): never reuse them.
    [Id(4)] private long _lastSeq = -1;
    [NonSerialized] private UtcMoment _lastSeen; // stored as StoredLastSeen (Id 5), as are the other moments below
    [Id(6)] private double? _reportingIntervalMs;
    [Id(7)] private float? _score;
    [Id(8)] private FeatureContribution[] _topContributorsStoredBefore = [];
    [Id(9)] private long _accepted;
    [Id(10)] private long _duplicates;
    [Id(11)] private long _rejected;
    [Id(12)] private long _scored;
    [Id(13)] private int _samplesSinceScore;
    [Id(14)] private string _scorer = StatisticalScorerName;
    [Id(15)] private long? _lastScoredTimestamp;
    [Id(16)] private string? _rulModel;
    [Id(17)] private float? _rul;
    [NonSerialized] private UtcMoment _rulAt;
    [Id(19)] private long _scoringFailures;
    [Id(20)] private string? _lastScoringError;
    [NonSerialized] private UtcMoment _lastScoringErrorAt;
    [Id(22)] private int _modelWindow;
    [Id(23)] private ReorderWindow? _reorder;
    [Id(24)] private long _late;

    // The newest score's explanation, rewritten in place at each scoring: a new array per scoring held by this long-lived
    // twin survived every young collection (most of what they copied under load). Id 8 is read from state stored before.
    [Id(25)] private Contribution[]? _top;
    [Id(26)] private int _topCount;
    [Id(27)] private AlarmDetector? _alarms; // absent from states stored before it: see Alarms
    [Id(28)] private AnomalyEpisode? _openEpisode; // the open alarm episode as last recorded in the fleet's log

    // The moments in their stored form (DateTimeOffset?, as they were stored before UtcMoment); internal for the
    // generated serializer, which needs an accessible setter.
    [Id(5)]
    internal DateTimeOffset? StoredLastSeen
    {
        get => _lastSeen.Value;
        set => _lastSeen = new UtcMoment(value);
    }

    [Id(18)]
    internal DateTimeOffset? StoredRulAt
    {
        get => _rulAt.Value;
        set => _rulAt = new UtcMoment(value);
    }

    [Id(21)]
    internal DateTimeOffset? StoredLastScoringErrorAt
    {
        get => _lastScoringErrorAt.Value;
        set => _lastScoringErrorAt = new UtcMoment(value);
    }

    // Recent scorings for the operator API; in memory only (not persisted), created at the first scoring.
    [NonSerialized] private ScoreHistory? _history;

    // The deviations of the latest inline scoring on this thread: an ingest runs without awaiting, so one
    // buffer per thread serves every device, and the top contributors are worked out only where they are read.
    [ThreadStatic] private static ScoreExplanation? t_explanation;

    /// <summary>The name of the built-in scorer, where a model key would stand otherwise.</summary>
    public const string StatisticalScorerName = "statistical";

    public DeviceTwin(int windowSize, int featureCount)
    {
        _window = new RingBuffer(windowSize, featureCount);
        _statistics = new RunningStatistics(featureCount);
    }

    public int FeatureCount => _window.Features;

    public long LastSeq => _lastSeq;

    public float? Threshold => Alarms.Threshold.Effective;

    // A state stored before the detector was added loads without one (no constructor runs): it learns its threshold again.
    private AlarmDetector Alarms => _alarms ??= new();

    public RingBuffer Window => _window;

    /// <summary>What the threshold was learned on: <see cref="StatisticalScorerName"/> or a model key.</summary>
    public string Scorer => _scorer;

    public float? Rul => _rul;

    /// <summary>The model key of the RUL model that made <see cref="Rul"/>.</summary>
    public string? RulModel => _rulModel;

    /// <summary>The score of the latest scoring, if any.</summary>
    public float? Score => _score;

    /// <summary>Health as operators see it: Offline when silent past its deadline, else the score-driven state.</summary>
    public HealthState HealthAt(DateTimeOffset now, DeviceOptions options) =>
        OfflineAfter(options) is { } deadline && now >= deadline ? HealthState.Offline : ToHealth(Alarms.Level);

    /// <summary>The moment the device counts as Offline unless it reports again.</summary>
    public DateTimeOffset? OfflineAfter(DeviceOptions options)
    {
        if (_lastSeen.Value is not { } lastSeen)
        {
            return null;
        }

        var interval = _reportingIntervalMs is { } ms ? TimeSpan.FromMilliseconds(ms) : options.InitialReportingInterval;
        var timeout = TimeSpan.FromTicks(Math.Max(options.MinOfflineTimeout.Ticks, (long)(interval.Ticks * options.OfflineMultiple)));
        return lastSeen + timeout;
    }

    /// <summary>
    /// Keeps the newest samples when the configured window size changed since the state was saved; never
    /// shorter than the device's models read. Returns whether the window changed.
    /// </summary>
    public bool ResizeWindow(int configured)
    {
        var size = Math.Max(configured, _modelWindow);
        if (size == _window.Capacity)
        {
            return false;
        }

        _window = _window.Resize(size);
        return true;
    }

    /// <summary>The device's models read <paramref name="samples"/> samples: the window grows to hold them if needed.</summary>
    public bool RequireModelWindow(int samples, int configured)
    {
        _modelWindow = samples;
        return ResizeWindow(configured);
    }

    public void PinThreshold(float? threshold) => Alarms.Threshold.Pin(threshold);

    /// <summary>Feedback that the latest alarm was a false positive; see <see cref="ThresholdCalibrator.RaiseAfterFalsePositive"/>.</summary>
    public (float Before, float After)? RaiseThresholdAfterFalsePositive(DeviceOptions options) =>
        Alarms.Threshold.RaiseAfterFalsePositive(_score, options.FeedbackPolicy);

    /// <summary>
    /// Starts scoring with <paramref name="scorer"/> (a model key or <see cref="StatisticalScorerName"/>).
    /// Its scores have their own scale, so the threshold is learned afresh (a pinned one is dropped);
    /// the window, statistics and health are kept. Returns false when it is the scorer in use already.
    /// </summary>
    public bool SwitchScorer(string scorer)
    {
        if (scorer == _scorer)
        {
            return false;
        }

        _scorer = scorer;
        Alarms.RestartThreshold();
        _samplesSinceScore = 0;
        _lastScoredTimestamp = null;
        return true;
    }

    /// <summary>
    /// <see cref="SwitchScorer(string)"/> to <paramref name="model"/>, or to the statistical scorer when null; compares
    /// without making the model's key (a device asks on every ingest call).
    /// </summary>
    public bool SwitchScorer(ModelRef? model) =>
        !(model is null ? _scorer == StatisticalScorerName : model.HasKey(_scorer))
        && SwitchScorer(model?.Key ?? StatisticalScorerName);

    /// <summary>
    /// The fleet's anomaly-log record of the alarm episode that <paramref name="transition"/> (one of this twin's)
    /// raised, made Critical or ended, or null when it did none of these. An episode keeps the time, threshold and
    /// scorer it was raised with; its contributors are those of the scoring that raised it or made it Critical.
    /// </summary>
    public AnomalyEpisode? EpisodeRecord(HealthTransition transition, string deviceId)
    {
        if (transition.Episode is not { } episode)
        {
            return null;
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds(transition.Timestamp);
        var raised = _openEpisode?.StartSeq == episode.Start ? _openEpisode : null;
        var record = (raised ?? new AnomalyEpisode(
            deviceId, episode.Start, at, ToHealth(episode.Level), episode.Peak, episode.PeakAt, transition.Threshold, _scorer, transition.TopContributors, null, null, false))
            with { Severity = ToHealth(episode.Level), PeakScore = episode.Peak, PeakSeq = episode.PeakAt };
        if (transition.To >= HealthState.Warning)
        {
            _openEpisode = record with { TopContributors = transition.TopContributors };
            return _openEpisode;
        }

        _openEpisode = null;
        return record with { EndSeq = episode.End, ClearedAt = at, NewNormal = episode.NewNormal };
    }

    /// <summary>Maintenance was done: the remaining-useful-life estimate is forgotten until the next one.</summary>
    public void ResetDegradation()
    {
        _rul = null;
        _rulAt = default;
    }

    /// <summary>
    /// Applies the samples of <paramref name="block"/> in sequence order and returns what happened to each. When a
    /// scoring is due it scores with <paramref name="inlineScorer"/> at once (when the device has no anomaly
    /// model), and, given a <paramref name="capture"/>, captures the window for its models to score afterwards
    /// (<see cref="ApplyModelScores"/>, <see cref="ApplyRul"/>). Every health change is added to <paramref name="transitions"/>.
    /// </summary>
    public IngestOutcome Ingest(
        TelemetryBlock block,
        DateTimeOffset now,
        DeviceOptions options,
        IAnomalyScorer? inlineScorer,
        WindowCapture? capture,
        List<HealthTransition> transitions)
    {
        if (block.Features != FeatureCount)
        {
            return RejectAll(block, $"expected {FeatureCount} values (this device's feature count), got {block.Features}");
        }

        List<SampleRejection>? rejected = null;
        var accepted = 0;
        var duplicates = 0;
        var reorder = ReorderWindowFor(options);
        var seqs = block.Seq.Span;
        var timestamps = block.Timestamps.Span;
        var order = SequenceOrder(seqs);
        var explanation = inlineScorer is null ? null : t_explanation ??= new ScoreExplanation(FeatureCount);
        var scoredInline = false;
        for (var i = 0; i < seqs.Length; i++)
        {
            var index = order?[i] ?? i;
            var seq = seqs[index];
            var values = block.ValuesOf(index);
            var late = seq <= _lastSeq;
            if (late && (reorder is null || !reorder.IsUnseenLate(seq, _lastSeq)))
            {
                duplicates++;
                continue;
            }

            if (!late && _lastSeq >= 0 && seq - _lastSeq > options.MaxSeqJump)
            {
                (rejected ??= []).Add(new SampleRejection(index, $"seq {seq} is {seq - _lastSeq} ahead of this device's last seq {_lastSeq}; " +
                    $"a jump of at most {options.MaxSeqJump} is accepted ({DeviceOptions.Section}:MaxSeqJump), so that one wrong seq cannot make every later event a duplicate"));
                continue;
            }

            if (FiniteValues.Problem(values) is { } reason)
            {
                (rejected ??= []).Add(new SampleRejection(index, reason));
                continue;
            }

            if (late)
            {
                ApplyLate(values, options);
                reorder!.MarkSeen(seq, _lastSeq);
            }
            else
            {
                reorder?.Advance(_lastSeq, seq);
                scoredInline |= Apply(seq, timestamps[index], values, options, inlineScorer, explanation, capture, transitions);
            }

            accepted++;
        }

        if (scoredInline)
        {
            _topCount = explanation!.TopInto(TopBuffer(options));
        }

        _accepted += accepted;
        _duplicates += duplicates;
        _rejected += rejected?.Count ?? 0;
        if (accepted > 0)
        {
            ObserveReport(now);
        }

        return new IngestOutcome(accepted, duplicates, rejected ?? (IReadOnlyList<SampleRejection>)[]);
    }

    private IngestOutcome RejectAll(TelemetryBlock block, string reason)
    {
        var rejected = new SampleRejection[block.Count];
        for (var i = 0; i < rejected.Length; i++)
        {
            rejected[i] = new SampleRejection(i, reason);
        }

        _rejected += rejected.Length;
        return new IngestOutcome(0, 0, rejected);
    }

    /// <summary>
    /// Applies an anomaly model's scores of the rows of <paramref name="capture"/>, in order, to the
    /// threshold and health; the explanation comes from the per-feature errors. It is worked out only where
    /// it is read: for the newest row (the device's top contributors) and for rows that changed the health.
    /// </summary>
    public void ApplyModelScores(ScoringResult result, WindowCapture capture, DeviceOptions options, List<HealthTransition> transitions)
    {
        for (var row = 0; row < result.Rows; row++)
        {
            var (seq, timestamp) = capture.RowAt(row);
            var transition = ApplyScore(result.Values.Span[row], options.ModelAlarmPolicy, options, seq, timestamp);
            var newest = row == result.Rows - 1;
            if (transition is null && !newest)
            {
                continue;
            }

            var errors = result.FeatureErrors.Span.Slice(row * result.Features, result.Features);
            if (transition is not null)
            {
                transitions.Add(transition with { TopContributors = Contributions.FromSquaredErrors(errors, options.TopContributors) });
            }

            if (newest)
            {
                _topCount = Contributions.FromSquaredErrorsInto(errors, Contributions.DefaultMinShare, TopBuffer(options));
            }
        }
    }

    /// <summary>Keeps a RUL model's estimates of the rows of <paramref name="capture"/>: the newest is the device's estimate.</summary>
    public void ApplyRul(ScoringResult result, WindowCapture capture, DateTimeOffset now, DeviceOptions options)
    {
        if (result.Rows == 0)
        {
            return;
        }

        if (!result.Model.HasKey(_rulModel))
        {
            _rulModel = result.Model.Key; // a new string only when the model changed: the twin is old, a young string in it would be copied up
        }

        _rul = result.Values.Span[^1];
        _rulAt = new UtcMoment(now);
        if (History(options) is { } history)
        {
            for (var row = 0; row < result.Rows; row++)
            {
                var (seq, timestamp) = capture.RowAt(row);
                history.RecordRul(seq, timestamp, result.Values.Span[row]);
            }
        }
    }

    /// <summary>The kept scorings of samples after <paramref name="afterSeq"/>, oldest first.</summary>
    public DeviceScoreHistory ToScoreHistory(string fleetId, string deviceId, long afterSeq, DeviceOptions options) =>
        new(fleetId, deviceId, options.ScoreHistory, _scorer, _rulModel, _history?.After(afterSeq) ?? []);

    /// <summary>A model could not score this device's windows: the samples stay, their scores are missing.</summary>
    public void RecordScoringFailure(string error, DateTimeOffset now)
    {
        _scoringFailures++;
        _lastScoringError = error;
        _lastScoringErrorAt = new UtcMoment(now);
    }

    public DeviceSnapshot ToSnapshot(string fleetId, string deviceId, DateTimeOffset now, DeviceOptions options)
    {
        var features = new FeatureStatistics[FeatureCount];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = new FeatureStatistics(i, _statistics.Mean(i), _statistics.StdDev(i));
        }

        return new DeviceSnapshot(
            fleetId,
            deviceId,
            HealthAt(now, options),
            _score,
            new DeviceThreshold(Alarms.Threshold.Effective, Alarms.Threshold.Learned, Alarms.Threshold.Pinned, Alarms.Threshold.Collected, options.CalibrationScores, Alarms.Threshold.FalsePositives),
            _top is null ? _topContributorsStoredBefore : Contribution.ToFeatureContributions(_top.AsSpan(0, Math.Min(_topCount, _top.Length))),
            _lastSeen.Value,
            _lastSeq,
            FeatureCount,
            _window.Capacity,
            new DeviceCounters(_accepted, _duplicates, _rejected, _scored, _late),
            features,
            new DeviceScoring(_scorer, _rulModel, _rul, _rulAt.Value, _scoringFailures, _lastScoringError, _lastScoringErrorAt.Value))
        {
            OpenEpisode = _openEpisode is { } recorded && Alarms.OpenEpisode(_lastSeq) is { } open && open.Start == recorded.StartSeq
                ? recorded with { Severity = ToHealth(open.Level), PeakScore = open.Peak, PeakSeq = open.PeakAt }
                : null,
        };
    }

    public TelemetryWindow ToWindow(string fleetId, string deviceId)
    {
        var samples = new WindowSample[_window.Count];
        for (var i = 0; i < samples.Length; i++)
        {
            var age = samples.Length - 1 - i;
            samples[i] = new WindowSample(_window.Timestamp(age), _window.Sample(age).ToArray());
        }

        return new TelemetryWindow(fleetId, deviceId, _window.Capacity, FeatureCount, samples);
    }

    public DeviceStatus ToStatus(string deviceId, DateTimeOffset now, DeviceOptions options) => StatusAt(now, options).ToStatus(deviceId);

    /// <summary>What <see cref="ToStatus"/> reports, without making the report.</summary>
    public StatusFigures StatusAt(DateTimeOffset now, DeviceOptions options) =>
        new(HealthAt(now, options), _score, Alarms.Threshold.Effective, _lastSeen.Value ?? now, OfflineAfter(options) ?? now);

    // The window of the options' size; a device that has applied samples before it kept a window (or under
    // another size) counts everything up to its last seq as seen, as it did then.
    private ReorderWindow? ReorderWindowFor(DeviceOptions options)
    {
        if (options.ReorderWindow == 0)
        {
            return _reorder = null;
        }

        if (_reorder is null || _reorder.Size != ReorderWindow.SizeFor(options.ReorderWindow))
        {
            _reorder = _lastSeq < 0 ? new ReorderWindow(options.ReorderWindow) : ReorderWindow.AllSeen(options.ReorderWindow);
        }

        return _reorder;
    }

    // A sample older than the newest applied one: the window and the scores have moved past it, so it only
    // counts and teaches the statistics (which do not depend on order).
    private void ApplyLate(ReadOnlySpan<float> values, DeviceOptions options)
    {
        _late++;
        LearnBaseline(values, options);
    }

    // Returns whether the sample was scored inline (its deviations are then in the explanation).
    private bool Apply(
        long seq, long timestamp, ReadOnlySpan<float> values, DeviceOptions options, IAnomalyScorer? inlineScorer, ScoreExplanation? explanation,
        WindowCapture? capture, List<HealthTransition> transitions)
    {
        _window.Append(timestamp, values);
        _lastSeq = seq;
        float? score = null;
        var captureReady = capture?.Ready(_window) ?? false;
        var inlineReady = inlineScorer is not null && _statistics.Count >= options.WarmupSamples;
        if ((captureReady || inlineReady) && IsScoringDue(timestamp, options))
        {
            if (captureReady)
            {
                capture!.Add(_window, seq, timestamp);
            }

            if (inlineReady)
            {
                score = inlineScorer!.Score(_window, _statistics, explanation!);
                if (ApplyScore(score.Value, options.AlarmPolicy, options, seq, timestamp) is { } transition)
                {
                    transitions.Add(transition with { TopContributors = explanation!.Top(options.TopContributors) });
                }
            }
        }

        // The baseline learns only from normal readings: a reading scored at or above the threshold is
        // left out (when it was scored inline), and so is each value that is an outlier for its feature;
        // otherwise a persistent fault (drift, degradation) would soon look normal.
        if (score is { } s && Alarms.Threshold.Effective is { } threshold && s >= threshold)
        {
            return true;
        }

        LearnBaseline(values, options);
        return score is not null;
    }

    // The baseline learns from its first BaselineSamples readings (again after a new normal), then stays: one that
    // kept learning would take in a slow drift a little at a time until the drift looked normal. Outliers are left
    // out once the device has learned its threshold: before that, every reading teaches it what normal looks like
    // (a signal that switches between levels shows the other level only after a while).
    private void LearnBaseline(ReadOnlySpan<float> values, DeviceOptions options)
    {
        if (_statistics.Count >= options.BaselineSamples)
        {
            return;
        }

        _statistics.Add(values, Alarms.Threshold.IsCalibrated ? options.StatisticsOutlierSigmas : double.PositiveInfinity);
    }

    // Every ScoreEvery samples, or when ScoreInterval of device time passed since the last scoring,
    // counted from the first sample a scorer was ready for (statistics warm, or the window as long as
    // the models read).
    private bool IsScoringDue(long timestamp, DeviceOptions options)
    {
        // The time cadence counts from the last scoring, or from the first sample that could be scored.
        _lastScoredTimestamp ??= timestamp;
        var due = ++_samplesSinceScore >= options.ScoreEvery
            || (options.ScoreInterval is { } interval && timestamp - _lastScoredTimestamp >= (long)interval.TotalMilliseconds);
        if (due)
        {
            _samplesSinceScore = 0;
            _lastScoredTimestamp = timestamp;
        }

        return due;
    }

    // The score, threshold and health; returns the health change it caused, if any, without its explanation
    // (the caller adds the top contributors it has).
    private HealthTransition? ApplyScore(float score, AlarmPolicy policy, DeviceOptions options, long seq, long timestamp)
    {
        _scored++;
        _score = score;
        var step = Alarms.Observe(score, seq, policy);
        if (step.Ended is { NewNormal: true } && _scorer == StatisticalScorerName)
        {
            AcceptNewNormalBaseline(options);
        }

        History(options)?.RecordScore(seq, timestamp, score, Alarms.Threshold.Effective, ToHealth(step.After));
        if (!step.Changed)
        {
            return null;
        }

        return new HealthTransition(ToHealth(step.Before), ToHealth(step.After), score, Alarms.Threshold.Effective ?? score, seq, timestamp, [])
        {
            Episode = step.Ended ?? (step.After >= AlarmLevel.Warning ? Alarms.OpenEpisode(seq) : null),
        };
    }

    // The statistical scorer measures samples against the statistics, which leave out what scored above the
    // threshold: after a lasting shift its scores would stay high for good. A new normal is learned from the
    // newest samples instead: the statistics from the window, the threshold from the scores that follow.
    private void AcceptNewNormalBaseline(DeviceOptions options)
    {
        _statistics = new RunningStatistics(FeatureCount);
        for (var age = _window.Count - 1; age >= 0; age--)
        {
            _statistics.Add(_window.Sample(age));
        }

        Alarms.RestartThreshold();
    }

    private static HealthState ToHealth(AlarmLevel level) => level switch
    {
        AlarmLevel.Unknown => HealthState.Unknown,
        AlarmLevel.Normal => HealthState.Healthy,
        AlarmLevel.Warning => HealthState.Warning,
        AlarmLevel.Critical => HealthState.Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    // Where the newest explanation is written; made anew only when the configured count changed.
    private Span<Contribution> TopBuffer(DeviceOptions options)
    {
        if (_top?.Length != options.TopContributors)
        {
            _top = new Contribution[options.TopContributors];
            _topContributorsStoredBefore = [];
        }

        return _top;
    }

    private ScoreHistory? History(DeviceOptions options) =>
        options.ScoreHistory == 0 ? null : _history ??= new ScoreHistory(options.ScoreHistory);

    // Server-side arrival times, not event timestamps: device clocks drift, and "not heard from" is about arrival.
    private void ObserveReport(DateTimeOffset now)
    {
        if (_lastSeen.Value is { } previous && now > previous)
        {
            var intervalMs = (now - previous).TotalMilliseconds;
            if (_reportingIntervalMs is { } ewma)
            {
                // A device back from an outage must not teach itself a huge interval in one step.
                intervalMs = Math.Min(intervalMs, 4 * ewma);
                _reportingIntervalMs = (0.8 * ewma) + (0.2 * intervalMs);
            }
            else
            {
                _reportingIntervalMs = intervalMs;
            }
        }

        _lastSeen = new UtcMoment(now);
    }

    // Null when the samples are in order already, as batches usually arrive; otherwise the indices sorted
    // stably by seq: equal sequence numbers keep their batch order, so the first one wins and the rest are duplicates.
    private static int[]? SequenceOrder(ReadOnlySpan<long> seqs)
    {
        var sorted = true;
        for (var i = 1; i < seqs.Length && sorted; i++)
        {
            sorted = seqs[i - 1] <= seqs[i];
        }

        if (sorted)
        {
            return null;
        }

        var keys = seqs.ToArray();
        var order = new int[seqs.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        return order;
    }
}
