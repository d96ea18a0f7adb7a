using FleetGrains.Abstractions;
using FleetGrains.Grains.Scoring;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The state of one device and the rules that change it: window, statistics, sequence idempotence,
/// scoring, learned threshold, health and the liveness clock. It does no I/O; <see cref="DeviceGrain"/>
/// persists and reports it. It is also the persisted state itself, so nothing is copied to save it.
/// </summary>
[GenerateSerializer]
public sealed class DeviceTwin
{
    [Id(0)] private RingBuffer _window;
    [Id(1)] private readonly RunningStatistics _statistics;
    [Id(2)] private readonly ThresholdCalibrator _threshold = new();
    [Id(3)] private readonly HealthStateMachine _health = new();
    [Id(4)] private long _lastSeq = -1;
    [Id(5)] private DateTimeOffset? _lastSeen;
    [Id(6)] private double? _reportingIntervalMs;
    [Id(7)] private float? _score;
    [Id(8)] private FeatureContribution[] _topContributors = [];
    [Id(9)] private long _accepted;
    [Id(10)] private long _duplicates;
    [Id(11)] private long _rejected;
    [Id(12)] private long _scored;
    [Id(13)] private int _samplesSinceScore;

    public DeviceTwin(int windowSize, int featureCount)
    {
        _window = new RingBuffer(windowSize, featureCount);
        _statistics = new RunningStatistics(featureCount);
    }

    public int FeatureCount => _window.Features;

    public long LastSeq => _lastSeq;

    public float? Threshold => _threshold.Effective;

    public RingBuffer Window => _window;

    /// <summary>Health as operators see it: Offline when silent past its deadline, else the score-driven state.</summary>
    public HealthState HealthAt(DateTimeOffset now, DeviceOptions options) =>
        OfflineAfter(options) is { } deadline && now >= deadline ? HealthState.Offline : _health.State;

    /// <summary>The moment the device counts as Offline unless it reports again.</summary>
    public DateTimeOffset? OfflineAfter(DeviceOptions options)
    {
        if (_lastSeen is not { } lastSeen)
        {
            return null;
        }

        var interval = _reportingIntervalMs is { } ms ? TimeSpan.FromMilliseconds(ms) : options.InitialReportingInterval;
        var timeout = TimeSpan.FromTicks(Math.Max(options.MinOfflineTimeout.Ticks, (long)(interval.Ticks * options.OfflineMultiple)));
        return lastSeen + timeout;
    }

    /// <summary>Keeps the newest samples when the configured window size changed since the state was saved.</summary>
    public void ResizeWindow(int windowSize)
    {
        if (windowSize != _window.Capacity)
        {
            _window = _window.Resize(windowSize);
        }
    }

    public void PinThreshold(float? threshold) => _threshold.Pin(threshold);

    /// <summary>
    /// Applies <paramref name="samples"/> in sequence order and returns what happened to each.
    /// <paramref name="healthChanged"/> tells whether the score-driven health changed.
    /// </summary>
    public IngestOutcome Ingest(
        TelemetrySample[] samples, DateTimeOffset now, DeviceOptions options, IAnomalyScorer scorer, out bool healthChanged)
    {
        healthChanged = false;
        var rejected = new List<SampleRejection>();
        var accepted = 0;
        var duplicates = 0;
        foreach (var index in SequenceOrder(samples))
        {
            var sample = samples[index];
            if (sample.Seq <= _lastSeq)
            {
                duplicates++;
                continue;
            }

            if (Reject(sample) is { } reason)
            {
                rejected.Add(new SampleRejection(index, reason));
                continue;
            }

            healthChanged |= Apply(sample, options, scorer);
            accepted++;
        }

        _accepted += accepted;
        _duplicates += duplicates;
        _rejected += rejected.Count;
        if (accepted > 0)
        {
            ObserveReport(now);
        }

        return new IngestOutcome(accepted, duplicates, rejected);
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
            new DeviceThreshold(_threshold.Effective, _threshold.Learned, _threshold.Pinned, _threshold.Collected, options.CalibrationScores),
            _topContributors,
            _lastSeen,
            _lastSeq,
            FeatureCount,
            _window.Capacity,
            new DeviceCounters(_accepted, _duplicates, _rejected, _scored),
            features);
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

    public DeviceStatus ToStatus(string deviceId, DateTimeOffset now, DeviceOptions options) =>
        new(deviceId, HealthAt(now, options), _score, _threshold.Effective, _lastSeen ?? now, OfflineAfter(options) ?? now);

    private string? Reject(TelemetrySample sample)
    {
        if (sample.Values is null || sample.Values.Length != FeatureCount)
        {
            return $"expected {FeatureCount} values (this device's feature count), got {sample.Values?.Length ?? 0}";
        }

        for (var i = 0; i < sample.Values.Length; i++)
        {
            if (!float.IsFinite(sample.Values[i]))
            {
                return $"values[{i}] is {sample.Values[i]}: only finite numbers are accepted";
            }
        }

        return null;
    }

    private bool Apply(TelemetrySample sample, DeviceOptions options, IAnomalyScorer scorer)
    {
        _window.Append(sample.Timestamp, sample.Values);
        _lastSeq = sample.Seq;
        var healthChanged = false;
        float? score = null;
        if (_statistics.Count >= options.WarmupSamples && ++_samplesSinceScore >= options.ScoreEvery)
        {
            _samplesSinceScore = 0;
            var anomalyScore = scorer.Score(_window, _statistics, options.TopContributors);
            score = anomalyScore.Value;
            healthChanged = ApplyScore(anomalyScore, options);
        }

        // The baseline learns only from normal readings: a reading scored at or above the threshold is
        // left out, and so is each value that is an outlier for its feature; otherwise a persistent
        // fault (drift, degradation) would soon look normal.
        if (score is { } s && _threshold.Effective is { } threshold && s >= threshold)
        {
            return healthChanged;
        }

        var warmedUp = _statistics.Count >= options.WarmupSamples;
        _statistics.Add(sample.Values, warmedUp ? options.StatisticsOutlierSigmas : double.PositiveInfinity);
        return healthChanged;
    }

    private bool ApplyScore(AnomalyScore score, DeviceOptions options)
    {
        _scored++;
        _score = score.Value;
        _topContributors = score.Top;
        _threshold.Observe(score.Value, options.ThresholdPolicy);
        return _threshold.Effective is { } threshold && _health.Observe(score.Value, threshold, options.HysteresisPolicy);
    }

    // Server-side arrival times, not event timestamps: device clocks drift, and "not heard from" is about arrival.
    private void ObserveReport(DateTimeOffset now)
    {
        if (_lastSeen is { } previous && now > previous)
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

        _lastSeen = now;
    }

    private static int[] SequenceOrder(TelemetrySample[] samples)
    {
        var order = new int[samples.Length];
        var sorted = true;
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            sorted &= i == 0 || samples[i - 1].Seq <= samples[i].Seq;
        }

        // Batches usually arrive in order, so they are not sorted again. The sort is stable: equal
        // sequence numbers keep their batch order, so the first one wins and the rest are duplicates.
        if (!sorted)
        {
            Array.Sort(order, (a, b) => samples[a].Seq != samples[b].Seq ? samples[a].Seq.CompareTo(samples[b].Seq) : a.CompareTo(b));
        }

        return order;
    }
}
