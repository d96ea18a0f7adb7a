namespace FleetGrains.Grains.Fleets;

/// <summary>Counts in one-minute buckets over a sliding span (an hour: at most 60 of them), for "in the last hour" figures.</summary>
public sealed class MinuteCounts(TimeSpan span)
{
    private readonly List<(long Minute, long Count)> _buckets = [];
    private readonly long _minutes = (long)Math.Ceiling(span.TotalMinutes);

    public void Add(DateTimeOffset at, long count)
    {
        if (count <= 0)
        {
            return;
        }

        var minute = at.ToUnixTimeSeconds() / 60;
        if (_buckets.Count > 0 && _buckets[^1].Minute == minute)
        {
            _buckets[^1] = (minute, _buckets[^1].Count + count);
        }
        else
        {
            _buckets.Add((minute, count));
        }

        Forget(minute);
    }

    /// <summary>The counts of the minutes within the span up to <paramref name="now"/>.</summary>
    public long Total(DateTimeOffset now)
    {
        Forget(now.ToUnixTimeSeconds() / 60);
        return _buckets.Sum(b => b.Count);
    }

    private void Forget(long currentMinute) => _buckets.RemoveAll(b => b.Minute <= currentMinute - _minutes);
}
