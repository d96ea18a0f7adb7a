using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// A device's newest explanation is rewritten in place at each scoring (no array per scoring that the long-lived twin
/// would hold into the next young collection), read as <see cref="FeatureContribution"/>s, stored, and still read from
/// state stored before.
/// </summary>
public class TopContributorsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelRef Model = new("m", 1);
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    // A DeviceState written by c29f122, when the twin kept a new FeatureContribution[] per scoring: window 2 × 3, samples
    // seq 0–2, model errors of the newest row [0.01, 0.04, 0.95] → feature 2 alone (share 0.95).
    private const string StoredWithContributionObjects =
        "ICAgAAkBDQMFAQlBMQAAAEAAAIBAAADAQAAAgD8AAABAAABAQEEh6gMAAAAAAADpAwAAAAAAAOAhIAAHgQAAAAAAAPA/gAAAAAAAAABAgAAAAAAAAAhA4CEAB4EAAAAAAAAAQIAAAAAAAAAgQIAAAAAAAAAyQOABDSEABwENAA0ADeDgISAAyWEAAAA/YDMzMz9gAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAAYAAAAABgAAAAAGAAAAAA4AEJwQHBAcEBAQHgIQABAQEBAQEBAQXgAQkhgAAA+LTISN4IgQAAAAAAAAAA4MEBYTMzMz8hAAMh6AAJYZeEeT9hMzNzPwEB4OABDQEBAQEBCQEBQRdzdGF0aXN0aWNhbAFSH8EBwQHBAQEBwQHBAQEBISAACQEPAAEAAQAB4OABAeDg";

    [Fact]
    public void StateStoredWithContributionObjects_ShowsThem_UntilTheNextScoringRewritesThem()
    {
        var twin = Serializer.Deserialize<DeviceState>(Convert.FromBase64String(StoredWithContributionObjects))!.Twin!;

        var stored = Assert.Single(twin.ToSnapshot("f", "d", Now, new DeviceOptions()).TopContributors);
        Assert.Equal((2, 0.95f), (stored.Feature, stored.Share));

        var capture = Ingest(twin, seq: 3);
        twin.ApplyModelScores(new ScoringResult(Model, new[] { 0.5f }, new[] { 0.9f, 0.1f, 0f }, 3), capture, new DeviceOptions(), []);

        Assert.Equal([0, 1], twin.ToSnapshot("f", "d", Now, new DeviceOptions()).TopContributors.Select(c => c.Feature));
    }

    [Fact]
    public void TheNewestExplanation_RoundTripsThroughStorage()
    {
        var twin = new DeviceTwin(2, 3);
        twin.ApplyModelScores(new ScoringResult(Model, new[] { 0.5f }, new[] { 0.2f, 0.7f, 0.1f }, 3), Ingest(twin, seq: 1), new DeviceOptions(), []);

        var read = Serializer.Deserialize<DeviceState>(Serializer.SerializeToArray(new DeviceState { Twin = twin }))!.Twin!;

        Assert.Equal(
            twin.ToSnapshot("f", "d", Now, new DeviceOptions()).TopContributors,
            read.ToSnapshot("f", "d", Now, new DeviceOptions()).TopContributors);
        Assert.Equal([1, 0, 2], read.ToSnapshot("f", "d", Now, new DeviceOptions()).TopContributors.Select(c => c.Feature));
    }

    [Fact]
    public void ExplainingEachNewestScore_AllocatesNothing()
    {
        var twin = new DeviceTwin(1, 3);
        var options = new DeviceOptions();
        twin.SwitchScorer(Model.Key);
        var result = new ScoringResult(Model, new[] { 0.5f }, new[] { 0.2f, 0.7f, 0.1f }, 3);
        var capture = Ingest(twin, seq: 0);
        twin.ApplyModelScores(result, capture, options, []); // the first scoring makes the twin's buffers

        var transitions = new List<HealthTransition>();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            twin.ApplyModelScores(result, capture, options, transitions);
            transitions.Clear();
        }

        // Before, each scoring made an array and its FeatureContribution objects: ~200 bytes, 200 KB here.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8_192);
    }

    [Fact]
    public void ExplainingEachInlineStatisticalScore_AllocatesNothing()
    {
        var twin = new DeviceTwin(8, 3);
        var options = new DeviceOptions { WarmupSamples = 2 };
        var scorer = new StatisticalScorer(Options.Create(new StatisticalScorerOptions()));
        var transitions = new List<HealthTransition>();
        const int Samples = 1_000;
        var seq = new long[Samples];
        var values = new float[3 * Samples];
        for (var i = 0; i < Samples; i++)
        {
            seq[i] = i;
            values.AsSpan(3 * i, 3).Fill(i % 7);
        }

        var blocks = Enumerable.Range(0, Samples).Select(i => new TelemetryBlock(3, seq.AsMemory(i, 1), seq.AsMemory(i, 1), values.AsMemory(3 * i, 3))).ToArray();
        for (var i = 0; i < 20; i++)
        {
            twin.Ingest(blocks[i], Now, options, scorer, null, transitions); // warm-up: statistics, threshold, buffers
        }

        transitions.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 20; i < Samples; i++)
        {
            twin.Ingest(blocks[i], Now, options, scorer, null, transitions);
            transitions.Clear();
        }

        // What is left is the outcome each ingest answers (40 bytes); the explanation added ~200 bytes per scoring before.
        var perIngest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(Samples - 20);
        Assert.True(perIngest < 80, $"{perIngest:F0} bytes per ingest");
    }

    private static WindowCapture Ingest(DeviceTwin twin, long seq)
    {
        var capture = new WindowCapture(1, 3);
        twin.Ingest([new TelemetrySample(seq, 1000 + seq, [seq, 2 * seq, 3 * seq])], Now, new DeviceOptions(), null, capture, []);
        return capture;
    }
}
