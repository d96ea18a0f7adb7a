using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// Whole signals through a device's twin with the statistical scorer and the default options: the alarms an
/// operator would get on the shapes real sensors take (issue 22's behaviour targets).
/// </summary>
public class SignalBehaviourTests
{
    private const int Features = 3;
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly DeviceOptions _options = new();
    private readonly StatisticalScorer _scorer = new(Options.Create(new StatisticalScorerOptions()));

    [Fact]
    public void AFlatLine_NeverAlarms()
    {
        Assert.Empty(Episodes(Signal(10_000, (_, _) => 5f)));
    }

    [Fact]
    public void ASquareWave_NeverAlarms()
    {
        Assert.Empty(Episodes(Signal(10_000, (i, _) => (i / 50) % 2 == 0 ? 0f : 10f)));
    }

    [Fact]
    public void NormalNoise_MakesAtMostOneFalseEpisodeIn10000Samples()
    {
        var noise = new Random(1);

        Assert.InRange(Episodes(Signal(10_000, (_, _) => 10f + Gaussian(noise))).Count, 0, 1);
    }

    [Fact]
    public void ASpike_IsOneEpisode()
    {
        var noise = new Random(2);

        var episodes = Episodes(Signal(4_000, (i, f) => 10f + Gaussian(noise) + (i == 3_000 && f == 0 ? 25f : 0f)));

        var spike = Assert.Single(episodes);
        Assert.Equal(3_000, spike.Start);
    }

    [Fact]
    public void ANoiseBurst_IsOneEpisode()
    {
        var noise = new Random(3);

        var episodes = Episodes(Signal(5_000, (i, _) => 10f + ((i is >= 3_000 and < 3_100 ? 5f : 1f) * Gaussian(noise))));

        var burst = Assert.Single(episodes);
        Assert.InRange(burst.Start, 3_000, 3_010);
    }

    [Fact]
    public void ALastingLevelShift_IsOneEpisode_ThatEndsWithinNewNormalAfterScorings()
    {
        var noise = new Random(4);

        var episodes = Episodes(Signal(8_000, (i, _) => 10f + Gaussian(noise) + (i >= 3_000 ? 8f : 0f)));

        var shift = Assert.Single(episodes);
        Assert.InRange(shift.Start, 3_000, 3_000 + _options.RaiseAfter - 1);
        Assert.NotNull(shift.End);
        Assert.InRange(shift.End!.Value, 3_000, 3_000 + _options.NewNormalAfter);
    }

    [Fact]
    public void ASlowDrift_IsDetectedBeforeItDoublesTheNormalRange()
    {
        // The normal range of each feature is about ±3 around 10 (6 wide); the drift adds 0.002 a sample to one feature.
        var noise = new Random(5);
        const int driftFrom = 3_000;

        var episodes = Episodes(Signal(8_000, (i, f) => 10f + Gaussian(noise) + (f == 0 && i >= driftFrom ? 0.002f * (i - driftFrom) : 0f)));

        var first = Assert.IsType<Episode>(episodes.FirstOrDefault());
        var driftAtDetection = 0.002 * (first.Start - driftFrom);
        Assert.InRange(driftAtDetection, 0.0, 6.0);
    }

    private List<Episode> Episodes(IEnumerable<TelemetrySample> samples)
    {
        var twin = new DeviceTwin(_options.WindowSize, Features);
        var transitions = new List<HealthTransition>();
        foreach (var chunk in samples.Chunk(10))
        {
            twin.Ingest(chunk, Now, _options, _scorer, null, transitions);
        }

        var episodes = new List<Episode>();
        foreach (var t in transitions)
        {
            if (t.From < HealthState.Warning && t.To >= HealthState.Warning)
            {
                episodes.Add(new Episode(t.Seq, null));
            }
            else if (t.From >= HealthState.Warning && t.To < HealthState.Warning)
            {
                episodes[^1] = episodes[^1] with { End = t.Seq };
            }
        }

        return episodes;
    }

    private static IEnumerable<TelemetrySample> Signal(int samples, Func<int, int, float> value)
    {
        for (var i = 0; i < samples; i++)
        {
            var values = new float[Features];
            for (var f = 0; f < Features; f++)
            {
                values[f] = value(i, f);
            }

            yield return new TelemetrySample(i, i * 1_000L, values);
        }
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    // Where an alarm episode began and (when it ended) the sequence number of the scoring that ended it.
    private sealed record Episode(long Start, long? End);
}
