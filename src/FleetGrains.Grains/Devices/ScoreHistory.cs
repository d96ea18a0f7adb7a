using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// A device's last <see cref="Capacity"/> scorings, in flat arrays (25 bytes each, no per-scoring
/// allocation). An anomaly score and a RUL estimate of the same sample share one entry.
/// </summary>
public sealed class ScoreHistory
{
    private readonly long[] _seqs;
    private readonly long[] _timestamps;
    private readonly float[] _scores;
    private readonly float[] _thresholds;
    private readonly float[] _ruls;
    private readonly byte[] _healths; // HealthState + 1; 0: none
    private int _next;
    private int _count;

    public ScoreHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _seqs = new long[capacity];
        _timestamps = new long[capacity];
        _scores = new float[capacity];
        _thresholds = new float[capacity];
        _ruls = new float[capacity];
        _healths = new byte[capacity];
    }

    public int Capacity => _seqs.Length;

    /// <summary>The kept scorings of samples after <paramref name="afterSeq"/>, oldest first.</summary>
    public ScorePoint[] After(long afterSeq)
    {
        var points = new List<ScorePoint>();
        for (var age = _count - 1; age >= 0; age--)
        {
            var slot = SlotOf(age);
            if (_seqs[slot] > afterSeq)
            {
                points.Add(new ScorePoint(
                    _seqs[slot],
                    DateTimeOffset.FromUnixTimeMilliseconds(_timestamps[slot]),
                    NullIfNaN(_scores[slot]),
                    NullIfNaN(_thresholds[slot]),
                    NullIfNaN(_ruls[slot]))
                {
                    Health = _healths[slot] == 0 ? null : (HealthState)(_healths[slot] - 1),
                });
            }
        }

        return [.. points];
    }

    public void RecordScore(long seq, long timestamp, float score, float? threshold, HealthState health)
    {
        if (SlotFor(seq, timestamp) is { } slot)
        {
            _scores[slot] = score;
            _thresholds[slot] = threshold ?? float.NaN;
            _healths[slot] = (byte)(health + 1);
        }
    }

    public void RecordRul(long seq, long timestamp, float rul)
    {
        if (SlotFor(seq, timestamp) is { } slot)
        {
            _ruls[slot] = rul;
        }
    }

    // The entry of sample seq, created in sample order when it is new. Values mostly come in sample order
    // (a RUL estimate may follow the inline scores of later samples: then it is inserted among them).
    // Null when the sample is older than everything a full history keeps.
    private int? SlotFor(long seq, long timestamp)
    {
        var newer = 0;
        while (newer < _count && _seqs[SlotOf(newer)] >= seq)
        {
            if (_seqs[SlotOf(newer)] == seq)
            {
                return SlotOf(newer);
            }

            newer++;
        }

        if (newer == Capacity)
        {
            return null;
        }

        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
        for (var age = 0; age < newer; age++)
        {
            Move(SlotOf(age + 1), SlotOf(age));
        }

        var slot = SlotOf(newer);
        _seqs[slot] = seq;
        _timestamps[slot] = timestamp;
        _scores[slot] = float.NaN;
        _thresholds[slot] = float.NaN;
        _ruls[slot] = float.NaN;
        _healths[slot] = 0;
        return slot;
    }

    private void Move(int from, int to)
    {
        _seqs[to] = _seqs[from];
        _timestamps[to] = _timestamps[from];
        _scores[to] = _scores[from];
        _thresholds[to] = _thresholds[from];
        _ruls[to] = _ruls[from];
        _healths[to] = _healths[from];
    }

    private int SlotOf(int age) => (_next - 1 - age + Capacity) % Capacity;

    private static float? NullIfNaN(float value) => float.IsNaN(value) ? null : value;
}
