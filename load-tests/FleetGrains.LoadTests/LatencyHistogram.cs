namespace FleetGrains.LoadTests;

/// <summary>
/// Latencies in log-linear buckets, HdrHistogram style: values from 1 µs up are kept with a relative error
/// below 1/<see cref="SubBuckets"/> (about 1 %), in constant memory, and percentiles are read from the
/// counts (never averaged).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBuckets = 128;
    private const int Magnitudes = 40; // 1 µs × 2^40: far beyond any latency

    private readonly long[] _counts = new long[Magnitudes * SubBuckets];

    public long Count { get; private set; }

    public TimeSpan Max { get; private set; }

    /// <summary>The exact sum of the recorded values (not read from the buckets).</summary>
    public TimeSpan Total { get; private set; }

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(1L, (long)latency.TotalMicroseconds);
        _counts[Index(micros)]++;
        Count++;
        Total += latency;
        if (latency > Max)
        {
            Max = latency;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Total += other.Total;
        Max = other.Max > Max ? other.Max : Max;
    }

    /// <summary>The smallest recorded value at or below which <paramref name="percentile"/> % of the values lie (its bucket's upper edge).</summary>
    public TimeSpan Percentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var upper = TimeSpan.FromMicroseconds(UpperEdge(i));
                return upper < Max ? upper : Max;
            }
        }

        return Max;
    }

    // Values below SubBuckets µs get one bucket per µs. Above, a value with highest bit b is shifted right by
    // m = b − 6, which leaves 64..127: each power of two is split into Half = 64 buckets of 2^m µs.
    private const int Half = SubBuckets / 2;

    private static int Index(long micros)
    {
        if (micros < SubBuckets)
        {
            return (int)micros;
        }

        var magnitude = 63 - (int)long.LeadingZeroCount(micros) - 6;
        var sub = (int)(micros >> magnitude) - Half;
        return Math.Min((magnitude * Half) + Half + sub, (Magnitudes * SubBuckets) - 1);
    }

    private static long UpperEdge(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var magnitude = (index - Half) / Half;
        var sub = ((index - Half) % Half) + Half;
        return ((sub + 1L) << magnitude) - 1;
    }
}
