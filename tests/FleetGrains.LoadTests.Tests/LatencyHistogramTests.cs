namespace FleetGrains.LoadTests.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_OfSmallValues_AreExact()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 1; micros <= 100; micros++)
        {
            histogram.Record(TimeSpan.FromMicroseconds(micros));
        }

        Assert.Equal(100, histogram.Count);
        Assert.Equal(TimeSpan.FromMicroseconds(50), histogram.Percentile(50));
        Assert.Equal(TimeSpan.FromMicroseconds(99), histogram.Percentile(99));
        Assert.Equal(TimeSpan.FromMicroseconds(100), histogram.Percentile(100));
        Assert.Equal(TimeSpan.FromMicroseconds(5050), histogram.Total);
    }

    [Fact]
    public void Percentiles_OfLargeValues_AreWithinOnePercent_AndNeverAboveTheMax()
    {
        var histogram = new LatencyHistogram();
        var values = Enumerable.Range(1, 10_000).Select(i => TimeSpan.FromMicroseconds(i * 37L)).ToList();
        foreach (var value in values.OrderBy(v => v.Ticks % 7))
        {
            histogram.Record(value);
        }

        foreach (var percentile in new[] { 50.0, 90, 99, 99.9 })
        {
            var exact = values[(int)Math.Ceiling(percentile / 100 * values.Count) - 1].TotalMicroseconds;
            var read = histogram.Percentile(percentile).TotalMicroseconds;
            Assert.InRange(read, exact, exact * 1.01 + 1);
        }

        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[^1], histogram.Percentile(100));
    }

    [Fact]
    public void Add_MergesCounts()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(TimeSpan.FromMilliseconds(1));
        b.Record(TimeSpan.FromMilliseconds(3));
        a.Add(b);

        Assert.Equal((2L, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(4)), (a.Count, a.Max, a.Total));
        Assert.Equal(TimeSpan.Zero, new LatencyHistogram().Percentile(99));
    }
}
