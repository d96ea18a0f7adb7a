using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FleetGrains.Detection.Tests;

public class AlarmDetectorTests
{
    private static readonly AlarmPolicy Policy = new(
        new ThresholdPolicy(CalibrationScores: 100, Quantile: 0.99, Margin: 1.25, MinThreshold: 1e-6f),
        new EpisodePolicy(OpenAfter: 3, CloseAfter: 5, CriticalFactor: 2f, ClearFraction: 0.5, NewNormalAfter: 300));

    [Fact]
    public void Level_IsUnknownWhileCalibrating_ThenNormal()
    {
        var detector = new AlarmDetector();
        var steps = Feed(detector, Enumerable.Repeat(1f, 100));

        Assert.All(steps.Take(99), s => Assert.Equal(AlarmLevel.Unknown, s.After));
        Assert.Equal((AlarmLevel.Unknown, AlarmLevel.Normal), (steps[99].Before, steps[99].After));
        Assert.Equal(1.25f, detector.Threshold.Effective);
        Assert.Equal(1f, detector.Threshold.Typical);
    }

    [Fact]
    public void TheScoreThatCompletesTheCalibration_IsNeverJudged()
    {
        var detector = new AlarmDetector();

        var steps = Feed(detector, Enumerable.Repeat(1f, 99).Append(1000f).Concat(Enumerable.Repeat(1f, 50)));

        Assert.Equal((AlarmLevel.Unknown, AlarmLevel.Normal), (steps[99].Before, steps[99].After));
        Assert.All(steps.Skip(99), s => Assert.Equal(AlarmLevel.Normal, s.After));
        Assert.False(detector.InEpisode);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.7f)]
    [InlineData(1234.5f)]
    public void AFlatScore_NeverAlarms(float level)
    {
        var detector = new AlarmDetector();

        var episodes = Episodes(detector, Enumerable.Repeat(level, 10_000));

        Assert.Empty(episodes);
        Assert.True(detector.Threshold.Effective > level);
    }

    [Fact]
    public void ATwoValuedScore_NeverAlarms()
    {
        // A square wave's scores: long runs of two values.
        var detector = new AlarmDetector();
        var scores = Enumerable.Range(0, 10_000).Select(i => (i / 25) % 2 == 0 ? 0.2f : 1.7f);

        Assert.Empty(Episodes(detector, scores));
    }

    [Fact]
    public void AScoreEqualToThePinnedThreshold_NeverCounts()
    {
        var detector = Calibrated();
        detector.Threshold.Pin(2f);

        Assert.Empty(Episodes(detector, Enumerable.Repeat(2f, 1_000)));
        Assert.Equal(AlarmLevel.Normal, detector.Level);
        Assert.Single(Feed(detector, Enumerable.Repeat(2.0001f, 3)), s => s.Opened);
    }

    [Fact]
    public void ASpike_IsOneEpisode_WithItsStartPeakAndEnd()
    {
        var detector = Calibrated();
        float[] spike = [0.5f, 0.5f, 1.5f, 2f, 2.4f, 1.8f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f];

        var steps = Feed(detector, spike, firstAt: 1_000);

        Assert.Equal(AlarmLevel.Warning, steps[4].After); // the third score above opens it
        var episode = Assert.Single(steps, s => s.Ended is not null).Ended!;
        Assert.Equal(new AlarmEpisode(Start: 1_002, End: 1_005, PeakAt: 1_004, Peak: 2.4f, AlarmLevel.Warning, NewNormal: false), episode);
        Assert.Equal(AlarmLevel.Normal, detector.Level);
    }

    [Fact]
    public void AShortBlip_BelowTheMinimumEpisodeLength_DoesNotAlarm()
    {
        var detector = Calibrated();

        Assert.Empty(Episodes(detector, [0.5f, 2f, 2f, 0.5f, 2f, 0.5f, 0.5f]));
        Assert.Equal(AlarmLevel.Normal, detector.Level);
    }

    [Fact]
    public void ScoresHoveringAroundTheThreshold_AreOneEpisode()
    {
        // Threshold 1.25, typical 1 (calibration at 1): the clear level is 1.125.
        var detector = Calibrated();
        var hovering = Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? 1.2f : 1.4f);

        var steps = Feed(detector, [.. Enumerable.Repeat(1.4f, 3), .. hovering, .. Enumerable.Repeat(1f, 5)]);

        Assert.Single(steps, s => s.Opened);
        Assert.Single(steps, s => s.Ended is not null);
    }

    [Fact]
    public void AfterAnEpisode_TheDetectorReArms()
    {
        var detector = Calibrated();
        float[] burst = [5f, 5f, 5f, 1f, 1f, 1f, 1f, 1f];

        Assert.Equal(2, Episodes(detector, [.. burst, .. burst]).Count);
    }

    [Fact]
    public void AScoreAboveTheCriticalLevel_MakesTheEpisodeCritical()
    {
        // Threshold 1.25: the critical level is 2.5.
        var detector = Calibrated();

        var steps = Feed(detector, [1.5f, 1.5f, 1.5f, 2.5f, 3f, 1f, 1f, 1f, 1f, 1f]);

        Assert.Equal(AlarmLevel.Warning, steps[2].After);
        Assert.Equal(AlarmLevel.Warning, steps[3].After); // equal to the critical level: not above it
        Assert.Equal((AlarmLevel.Warning, AlarmLevel.Critical), (steps[4].Before, steps[4].After));
        Assert.Equal(AlarmLevel.Critical, Assert.Single(steps, s => s.Ended is not null).Ended!.Level);
    }

    [Fact]
    public void ASingleScoreAboveTheCriticalLevel_IsOneCriticalEpisodeAtOnce()
    {
        var detector = Calibrated();

        var steps = Feed(detector, [1f, 40f, 1f, 1f, 1f, 1f, 1f], firstAt: 10);

        Assert.Equal((AlarmLevel.Normal, AlarmLevel.Critical), (steps[1].Before, steps[1].After));
        Assert.Equal(new AlarmEpisode(11, 11, 11, 40f, AlarmLevel.Critical, NewNormal: false), Assert.Single(steps, s => s.Ended is not null).Ended);
    }

    [Fact]
    public void ALastingShift_IsOneEpisode_ThatEndsAsANewNormal_AfterNewNormalAfterScores()
    {
        var detector = Calibrated();
        var noise = new Random(7);
        var shifted = Enumerable.Range(0, 5_000).Select(_ => 5f + (float)noise.NextDouble()).ToArray();

        var steps = Feed(detector, shifted, firstAt: 0);

        var episode = Assert.Single(steps, s => s.Ended is not null).Ended!;
        Assert.True(episode.NewNormal);
        Assert.Equal(0, episode.Start);
        Assert.Equal(Policy.Episodes.NewNormalAfter - 1, episode.End);
        Assert.Single(steps, s => s.Opened);
        Assert.InRange(detector.Threshold.Effective!.Value, 6f, 6f * 1.25f);
    }

    [Fact]
    public void APinnedThreshold_IsNeverReplacedByANewNormal()
    {
        var detector = Calibrated();
        detector.Threshold.Pin(2f);

        var steps = Feed(detector, Enumerable.Repeat(5f, 1_000));

        Assert.DoesNotContain(steps, s => s.Ended is not null);
        Assert.Equal(AlarmLevel.Critical, detector.Level);
        Assert.Equal(2f, detector.Threshold.Effective);
    }

    [Fact]
    public void FalsePositiveFeedback_StillRaisesTheThreshold()
    {
        var detector = Calibrated();
        Feed(detector, [2f, 2f, 2f]);

        var (before, after) = detector.Threshold.RaiseAfterFalsePositive(2f, new FeedbackPolicy(1.2, 4))!.Value;

        Assert.Equal(1.25f, before);
        Assert.Equal(2.4f, after, 5);
    }

    [Fact]
    public void TenThousandNormalScores_MakeAtMostOneFalseEpisode()
    {
        // Scores like the statistical scorer's on normal data: the root mean square of Gaussian z-scores.
        var random = new Random(42);
        var scores = Enumerable.Range(0, 10_100).Select(_ => RootMeanSquare(random, features: 8));

        Assert.InRange(Episodes(new AlarmDetector(), scores).Count, 0, 1);
    }

    [Fact]
    public void ANoiseBurst_IsOneEpisode()
    {
        var random = new Random(3);
        var normal = Enumerable.Range(0, 1_000).Select(_ => RootMeanSquare(random, 8)).ToArray();
        var burst = Enumerable.Range(0, 60).Select(_ => 4 * RootMeanSquare(random, 8)).ToArray();

        Assert.Single(Episodes(new AlarmDetector(), [.. normal, .. burst, .. normal]));
    }

    [Fact]
    public void TheSameScores_GiveTheSameEpisodes_WhetherTheDetectorIsFedInOneGoOrRestoredBetween()
    {
        var random = new Random(11);
        var scores = Enumerable.Range(0, 3_000).Select(i => i is > 1_500 and < 1_560 ? 5f : RootMeanSquare(random, 4)).ToArray();
        var whole = Episodes(new AlarmDetector(), scores);

        var first = new AlarmDetector();
        var firstHalf = Feed(first, scores.Take(1_530), firstAt: 0);
        var second = Copy(first);
        var secondHalf = Feed(second, scores.Skip(1_530), firstAt: 1_530);

        Assert.Equal(whole, [.. firstHalf.Concat(secondHalf).Where(s => s.Ended is not null).Select(s => s.Ended!)]);
    }

    private static AlarmDetector Calibrated()
    {
        var detector = new AlarmDetector();
        Feed(detector, Enumerable.Repeat(1f, 100));
        return detector;
    }

    private static List<AlarmStep> Feed(AlarmDetector detector, IEnumerable<float> scores, long firstAt = 0)
    {
        var at = firstAt;
        return [.. scores.Select(score => detector.Observe(score, at++, Policy))];
    }

    private static List<AlarmEpisode> Episodes(AlarmDetector detector, IEnumerable<float> scores) =>
        [.. Feed(detector, scores).Where(s => s.Ended is not null).Select(s => s.Ended!)];

    private static float RootMeanSquare(Random random, int features)
    {
        var sum = 0.0;
        for (var i = 0; i < features; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            sum += z * z;
        }

        return (float)Math.Sqrt(sum / features);
    }

    // Through Orleans' serializer, as a device grain's state is stored.
    private static AlarmDetector Copy(AlarmDetector detector)
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        return serializer.Deserialize<AlarmDetector>(serializer.SerializeToArray(detector))!;
    }
}
