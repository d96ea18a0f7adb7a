using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Tests;

public class DeviceTwinTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly DeviceOptions _options = new() { WindowSize = 8, WarmupSamples = 10, CalibrationScores = 20, RaiseAfter = 3, ClearAfter = 4 };
    private readonly StatisticalScorer _scorer = new(Options.Create(new StatisticalScorerOptions()));

    [Fact]
    public void Ingest_OutOfOrderBatch_IsAppliedInSequenceOrder()
    {
        var twin = new DeviceTwin(8, 1);
        TelemetrySample[] batch = [new(3, 3, [3f]), new(1, 1, [1f]), new(2, 2, [2f]), new(0, 0, [0f])];

        var outcome = twin.Ingest(batch, Now, _options, _scorer, null, []);

        Assert.Equal(4, outcome.Accepted);
        Assert.Equal(3, twin.LastSeq);
        Assert.Equal([0f, 1f, 2f, 3f], twin.ToWindow("f", "d").Samples.Select(s => s.Values[0]));
    }

    [Fact]
    public void Ingest_DuplicateSequenceInsideOneBatch_KeepsTheFirst()
    {
        var twin = new DeviceTwin(8, 1);
        TelemetrySample[] batch = [new(5, 5, [1f]), new(5, 6, [2f])];

        var outcome = twin.Ingest(batch, Now, _options, _scorer, null, []);

        Assert.Equal(1, outcome.Accepted);
        Assert.Equal(1, outcome.Duplicates);
        Assert.Equal(1f, twin.ToWindow("f", "d").Samples.Single().Values[0]);
    }

    [Fact]
    public void Ingest_SeqFarAheadOfTheLastOne_IsRejectedWithTheReason_AndLaterEventsStillCount()
    {
        var options = new DeviceOptions { WindowSize = 8, MaxSeqJump = 1000 };
        var twin = new DeviceTwin(8, 1);
        twin.Ingest([new(10, 10, [1f])], Now, options, _scorer, null, []);

        var poisoned = twin.Ingest([new(long.MaxValue, 11, [2f]), new(11, 12, [3f]), new(1011, 13, [4f]), new(2012, 14, [5f])], Now, options, _scorer, null, []);
        var after = twin.Ingest([new(1012, 15, [6f])], Now, options, _scorer, null, []);

        Assert.Equal(2, poisoned.Accepted); // 11 and 1011 (a jump of exactly 1000)
        Assert.Equal([0, 3], poisoned.Rejected.Select(r => r.Index).Order());
        var reason = poisoned.Rejected.Single(r => r.Index == 0).Reason;
        Assert.Contains($"seq {long.MaxValue} is {long.MaxValue - 1011} ahead of this device's last seq 1011", reason);
        Assert.Contains("Fleet:Devices:MaxSeqJump", reason);
        Assert.Equal((1, 0), (after.Accepted, after.Duplicates));
        Assert.Equal(1012, twin.LastSeq);
    }

    [Fact]
    public void Ingest_SampleArrivingAfterANewerOne_IsAcceptedOnceAsLate_NotPutInTheWindow()
    {
        var twin = new DeviceTwin(8, 1);
        twin.Ingest([new(0, 0, [0f]), new(2, 2, [2f]), new(3, 3, [3f])], Now, _options, _scorer, null, []);

        var late = twin.Ingest([new(1, 1, [1f])], Now, _options, _scorer, null, []);
        var replayed = twin.Ingest([new(1, 1, [1f]), new(2, 2, [2f])], Now, _options, _scorer, null, []);

        Assert.Equal((1, 0), (late.Accepted, late.Duplicates));
        Assert.Equal((0, 2), (replayed.Accepted, replayed.Duplicates));
        var counters = twin.ToSnapshot("f", "d", Now, _options).Counters;
        Assert.Equal((4L, 1L, 2L), (counters.Accepted, counters.Late, counters.Duplicates));
        Assert.Equal(3, twin.LastSeq);
        Assert.Equal([0f, 2f, 3f], twin.ToWindow("f", "d").Samples.Select(s => s.Values[0]));
    }

    [Fact]
    public void Ingest_SampleOlderThanTheReorderWindow_IsTakenForAReplay()
    {
        var options = new DeviceOptions { WindowSize = 8, ReorderWindow = 64 };
        var twin = new DeviceTwin(8, 1);
        twin.Ingest([new(0, 0, [0f]), new(100, 100, [1f])], Now, options, _scorer, null, []);

        var outcome = twin.Ingest([new(36, 36, [1f]), new(37, 37, [1f])], Now, options, _scorer, null, []);

        Assert.Equal((1, 1), (outcome.Accepted, outcome.Duplicates));
    }

    [Fact]
    public void Ingest_WithoutAReorderWindow_EveryOlderSeqIsAReplay()
    {
        var options = new DeviceOptions { WindowSize = 8, ReorderWindow = 0 };
        var twin = new DeviceTwin(8, 1);
        twin.Ingest([new(0, 0, [0f]), new(2, 2, [2f])], Now, options, _scorer, null, []);

        var outcome = twin.Ingest([new(1, 1, [1f])], Now, options, _scorer, null, []);

        Assert.Equal((0, 1), (outcome.Accepted, outcome.Duplicates));
    }

    [Fact]
    public void Ingest_WrongFeatureCountOrNaN_RejectsOnlyThoseSamples()
    {
        var twin = new DeviceTwin(8, 2);
        TelemetrySample[] batch = [new(0, 0, [1f, 2f]), new(2, 2, [float.NaN, 1f]), new(3, 3, [3f, 4f])];

        var outcome = twin.Ingest(batch, Now, _options, _scorer, null, []);
        var narrow = twin.Ingest([new TelemetrySample(4, 4, [1f]), new TelemetrySample(5, 5, [2f])], Now, _options, _scorer, null, []);

        Assert.Equal(2, outcome.Accepted);
        Assert.Equal([1], outcome.Rejected.Select(r => r.Index));
        Assert.Contains("values[0] is NaN: only finite numbers are accepted", outcome.Rejected[0].Reason);
        Assert.Equal(0, narrow.Accepted);
        Assert.Equal([0, 1], narrow.Rejected.Select(r => r.Index));
        Assert.All(narrow.Rejected, r => Assert.Contains("expected 2 values (this device's feature count), got 1", r.Reason));
        Assert.Equal(3, twin.LastSeq);
        Assert.Equal(3, twin.ToSnapshot("f", "d", Now, _options).Counters.Rejected);
    }

    [Fact]
    public void Health_IsUnknownUntilCalibrated_ThenHealthy()
    {
        var twin = new DeviceTwin(8, 3);
        twin.Ingest(TestData.Normal(0, _options.WarmupSamples + _options.CalibrationScores - 1, 3, seed: 1), Now, _options, _scorer, null, []);
        Assert.Equal(HealthState.Unknown, twin.HealthAt(Now, _options));
        Assert.Null(twin.Threshold);

        var transitions = new List<HealthTransition>();
        twin.Ingest(TestData.Normal(1000, 1, 3, seed: 2), Now, _options, _scorer, null, transitions);

        Assert.Equal((HealthState.Unknown, HealthState.Healthy), (transitions.Single().From, transitions.Single().To));
        Assert.NotNull(twin.Threshold);
        Assert.Equal(HealthState.Healthy, twin.HealthAt(Now, _options));
    }

    [Fact]
    public void Health_IsOffline_AfterTheMultipleOfItsOwnReportingInterval()
    {
        var options = new DeviceOptions { OfflineMultiple = 5, MinOfflineTimeout = TimeSpan.FromSeconds(1) };
        var twin = new DeviceTwin(8, 1);
        twin.Ingest([new(0, 0, [1f])], Now, options, _scorer, null, []);
        twin.Ingest([new(1, 1, [1f])], Now.AddSeconds(2), options, _scorer, null, []);

        Assert.Equal(Now.AddSeconds(2 + 10), twin.OfflineAfter(options));
        Assert.NotEqual(HealthState.Offline, twin.HealthAt(Now.AddSeconds(11.9), options));
        Assert.Equal(HealthState.Offline, twin.HealthAt(Now.AddSeconds(12), options));
    }

    [Fact]
    public void PersistentFault_DoesNotBecomeTheBaseline()
    {
        var twin = new DeviceTwin(8, 3);
        var calibrated = _options.WarmupSamples + _options.CalibrationScores + 10;
        twin.Ingest(TestData.Normal(0, calibrated, 3, seed: 3), Now, _options, _scorer, null, []);
        var before = twin.ToSnapshot("f", "d", Now, _options).Features.Select(f => f.Mean).ToArray();

        twin.Ingest(TestData.Anomalous(calibrated, 200, 3), Now, _options, _scorer, null, []);
        var after = twin.ToSnapshot("f", "d", Now, _options);

        Assert.Equal(before, after.Features.Select(f => f.Mean));
        Assert.Equal(HealthState.Critical, after.Health);
    }
}
