using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Tests;

public class StatisticalScorerTests
{
    private readonly StatisticalScorer _scorer = new(Options.Create(new StatisticalScorerOptions()));

    [Fact]
    public void Score_IsTheRootMeanSquareOfZScores_WithSharesThatAddUpToOne()
    {
        var (window, stats) = Trained(features: 2, samples: 200, seed: 1);
        var mean0 = stats.Mean(0);
        var mean1 = stats.Mean(1);
        var sd0 = stats.StdDev(0);
        window.Append(0, [(float)(mean0 + (3 * sd0)), (float)mean1]);

        var score = _scorer.Score(window, stats, topCount: 2, minShare: 0);

        var z0 = ((float)(mean0 + (3 * sd0)) - mean0) / sd0;
        var z1 = ((float)mean1 - mean1) / stats.StdDev(1);
        Assert.Equal(Math.Sqrt(((z0 * z0) + (z1 * z1)) / 2), score.Value, 3);
        Assert.Equal(1f, score.Top.Sum(c => c.Share), 4);
        Assert.Equal(0, score.Top[0].Feature);
    }

    [Fact]
    public void Score_ExplainsAnAnomalyByTheFeatureThatCausedIt()
    {
        var (window, stats) = Trained(features: 5, samples: 300, seed: 2);
        var sample = Enumerable.Range(0, 5).Select(i => (float)stats.Mean(i)).ToArray();
        sample[3] += (float)(8 * stats.StdDev(3));
        window.Append(0, sample);

        var score = _scorer.Score(window, stats, topCount: 3);

        var top = score.Top;
        Assert.Equal(3, top[0].Feature);
        Assert.True(top[0].Share > 0.9f);
        Assert.True(score.Value > 3);
    }

    [Fact]
    public void Score_StuckSensor_ContributesEvenThoughItsValueLooksNormal()
    {
        var (window, stats) = Trained(features: 3, samples: 300, seed: 3);
        var normal = Enumerable.Range(0, 3).Select(i => (float)stats.Mean(i)).ToArray();
        for (var i = 0; i < new StatisticalScorerOptions().StuckRunLength; i++)
        {
            var sample = (float[])normal.Clone();
            sample[0] += i * 0.01f; // feature 0 moves, features 1 and 2 repeat exactly
            window.Append(i, sample);
        }

        var score = _scorer.Score(window, stats, topCount: 3, minShare: 0);

        Assert.True(score.Top.Single(c => c.Feature == 1).Stuck);
        Assert.True(score.Top.Single(c => c.Feature == 2).Stuck);
        Assert.False(score.Top.Single(c => c.Feature == 0).Stuck);
        Assert.True(score.Value > 4, $"score {score.Value}");
    }

    [Fact]
    public void Score_ConstantFeature_DoesNotExplode()
    {
        var window = new RingBuffer(16, 1);
        var stats = new RunningStatistics(1);
        for (var i = 0; i < 50; i++)
        {
            stats.Add([20f]);
            window.Append(i, [20f]);
        }

        window.Append(99, [20.001f]);
        var score = _scorer.Score(window, stats, topCount: 1);

        Assert.True(float.IsFinite(score.Value));
        Assert.True(score.Value < 1, $"score {score.Value}");
    }

    private static (RingBuffer Window, RunningStatistics Stats) Trained(int features, int samples, int seed)
    {
        var random = new Random(seed);
        var window = new RingBuffer(64, features);
        var stats = new RunningStatistics(features);
        for (var n = 0; n < samples; n++)
        {
            var sample = Enumerable.Range(0, features).Select(i => (float)((i * 10) + random.NextDouble())).ToArray();
            stats.Add(sample);
            window.Append(n, sample);
        }

        return (window, stats);
    }
}
