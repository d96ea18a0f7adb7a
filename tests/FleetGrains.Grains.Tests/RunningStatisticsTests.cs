using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

public class RunningStatisticsTests
{
    [Fact]
    public void Add_MatchesTheTwoPassMeanAndSampleVariance()
    {
        var random = new Random(7);
        var data = Enumerable.Range(0, 500).Select(_ => new[] { (float)(1000 + random.NextDouble()), (float)(random.NextDouble() * 10) }).ToArray();
        var stats = new RunningStatistics(2);
        foreach (var row in data)
        {
            stats.Add(row);
        }

        for (var f = 0; f < 2; f++)
        {
            var column = data.Select(r => (double)r[f]).ToArray();
            var mean = column.Average();
            var variance = column.Sum(x => (x - mean) * (x - mean)) / (column.Length - 1);
            Assert.Equal(mean, stats.Mean(f), 9);
            Assert.Equal(variance, stats.Variance(f), 9);
        }

        Assert.Equal(500, stats.Count);
    }

    [Fact]
    public void Variance_WithFewerThanTwoSamples_IsZero()
    {
        var stats = new RunningStatistics(1);
        stats.Add([5f]);

        Assert.Equal(0, stats.Variance(0));
        Assert.Equal(5, stats.Mean(0));
    }

    [Fact]
    public void Add_OutlierIsLeftOutOfItsFeatureOnly()
    {
        var stats = new RunningStatistics(2);
        foreach (var x in new[] { 9f, 11f, 9f, 11f, 10f })
        {
            stats.Add([x, x], outlierSigmas: 4);
        }

        var (mean, variance) = (stats.Mean(0), stats.Variance(0));
        stats.Add([1_000_000f, 10.5f], outlierSigmas: 4);

        Assert.Equal(6, stats.Count);
        Assert.Equal(mean, stats.Mean(0));
        Assert.Equal(variance, stats.Variance(0));
        Assert.NotEqual(mean, stats.Mean(1));
    }

    [Fact]
    public void Add_WithoutAnOutlierBound_TakesEveryValue()
    {
        var stats = new RunningStatistics(1);
        foreach (var x in new[] { 9f, 11f, 1_000_000f })
        {
            stats.Add([x]);
        }

        Assert.True(stats.Mean(0) > 300_000);
    }
}
