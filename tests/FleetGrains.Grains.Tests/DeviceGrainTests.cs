using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class DeviceGrainTests(ClusterFixture fixture)
{
    private const int F = ClusterFixture.Features;

    private IDeviceGrain Device(string name) => fixture.Client.GetGrain<IDeviceGrain>(FleetKeys.Device("grain-tests", name));

    [Fact]
    public async Task Ingest_UpdatesWindowAndStatistics()
    {
        var device = Device("window");
        var samples = TestData.Normal(0, 40, F, seed: 11);

        var outcome = await device.IngestAsync(samples);
        var snapshot = await device.GetSnapshotAsync();
        var window = await device.GetWindowAsync();

        Assert.Equal(40, outcome.Accepted);
        Assert.NotNull(snapshot);
        Assert.Equal(39, snapshot.LastSeq);
        Assert.Equal(40, snapshot.Counters.Accepted);
        Assert.Equal(F, snapshot.FeatureCount);
        for (var f = 0; f < F; f++)
        {
            Assert.Equal(samples.Average(s => (double)s.Values[f]), snapshot.Features[f].Mean, 3);
        }

        Assert.NotNull(window);
        Assert.Equal(ClusterFixture.DeviceOptions.WindowSize, window.Samples.Count);
        Assert.Equal(samples[^1].Values, window.Samples[^1].Values);
        Assert.Equal(samples[^16].Timestamp, window.Samples[0].Timestamp);
    }

    [Fact]
    public async Task Ingest_ABlockCutFromLargerColumns_ArrivesAsItsSlice()
    {
        var device = Device("slices");
        // Two devices' rows share the columns; the call carries only the second device's two rows.
        long[] seq = [100, 101, 0, 1];
        long[] timestamps = [5, 6, 1_000, 2_000];
        var values = Enumerable.Range(0, 4 * F).Select(v => (float)v).ToArray();
        var block = new TelemetryBlock(F, seq.AsMemory(2, 2), timestamps.AsMemory(2, 2), values.AsMemory(2 * F, 2 * F));

        var outcome = await device.IngestAsync(block);
        var window = await device.GetWindowAsync();

        Assert.Equal(2, outcome.Accepted);
        Assert.Equal([1_000L, 2_000L], window!.Samples.Select(s => s.Timestamp));
        Assert.Equal(values[(3 * F)..], window.Samples[^1].Values);
    }

    [Fact]
    public async Task Ingest_ABlockWhoseColumnsDoNotFit_IsRefusedWithTheReason_AndTheDeviceGoesOn()
    {
        var device = Device("misfit");
        var misfit = new TelemetryBlock(F, new long[] { 0, 1 }, new long[] { 0, 1 }, new float[(2 * F) - 1]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => device.IngestAsync(misfit).AsTask());
        var outcome = await device.IngestAsync(TestData.Normal(0, 3, F, seed: 5));

        Assert.Contains($"the block has {(2 * F) - 1} values; 2 samples of {F} features need {2 * F}", error.Message);
        Assert.Equal(3, outcome.Accepted);
    }

    [Fact]
    public async Task Ingest_DuplicateAndReplayedSequence_IsIgnoredAndCounted()
    {
        var device = Device("replay");
        await device.IngestAsync(TestData.Normal(0, 10, F, seed: 12));

        var replay = await device.IngestAsync(TestData.Normal(5, 10, F, seed: 13)); // seq 5..14
        var again = await device.IngestAsync(TestData.Normal(5, 10, F, seed: 13));
        var snapshot = await device.GetSnapshotAsync();

        Assert.Equal((5, 5), (replay.Accepted, replay.Duplicates));
        Assert.Equal((0, 10), (again.Accepted, again.Duplicates));
        Assert.Equal(14, snapshot!.LastSeq);
        Assert.Equal(15, snapshot.Counters.Accepted);
        Assert.Equal(15, snapshot.Counters.Duplicates);
    }

    [Fact]
    public async Task Health_TurnsCriticalAtAScoreAboveTheCriticalLevel_AndClearsAfterMNormalOnes()
    {
        // Milder scores need RaiseAfter in a row (AlarmDetectorTests); a spike is an incident at once.
        var device = Device("hysteresis");
        var options = ClusterFixture.DeviceOptions;
        var seq = 0L;
        async Task<HealthState> Feed(TelemetrySample[] samples)
        {
            await device.IngestAsync(samples);
            seq += samples.Length;
            return (await device.GetSnapshotAsync())!.Health;
        }

        Assert.Equal(HealthState.Healthy, await Feed(TestData.Normal(seq, options.WarmupSamples + options.CalibrationScores + 5, F, seed: 14)));
        Assert.Equal(HealthState.Critical, await Feed(TestData.Anomalous(seq, 1, F)));
        Assert.Equal(HealthState.Critical, await Feed(TestData.Normal(seq, options.ClearAfter - 1, F, seed: 15)));
        Assert.Equal(HealthState.Healthy, await Feed(TestData.Normal(seq, 1, F, seed: 16)));

        var snapshot = (await device.GetSnapshotAsync())!;
        Assert.NotNull(snapshot.Threshold.Learned);
        Assert.Equal(options.CalibrationScores, snapshot.Threshold.CalibrationScores);
    }

    [Fact]
    public async Task AnIncident_IsOneEpisodeInTheFleetsLog_FromRaisedToCleared()
    {
        var device = Device("episode");
        var options = ClusterFixture.DeviceOptions;
        var calibrated = options.WarmupSamples + options.CalibrationScores + 5;
        await device.IngestAsync(TestData.Normal(0, calibrated, F, seed: 31));
        var log = fixture.Client.GetGrain<IFleetAnomaliesGrain>("grain-tests");

        await device.IngestAsync(TestData.Anomalous(calibrated, 4, F));
        var during = (await device.GetSnapshotAsync())!.OpenEpisode;
        Assert.Equal((calibrated, HealthState.Critical, true), (during?.StartSeq, during?.Severity, during?.Open));
        var raised = await ClusterFixture.EventuallyAsync(
            () => log.QueryAsync(new AnomalyQuery(0, 10_000)), p => p.Episodes.Any(e => e.DeviceId == "episode"), "the raised episode");
        await device.IngestAsync(TestData.Normal(calibrated + 4, 30, F, seed: 32)); // ClearAfter in a row at or below the clear level end it
        var cleared = await ClusterFixture.EventuallyAsync(
            () => log.QueryAsync(new AnomalyQuery(0, 10_000)), p => p.Episodes.Any(e => e.DeviceId == "episode" && !e.Open), "the cleared episode");

        var open = Assert.Single(raised.Episodes, e => e.DeviceId == "episode");
        Assert.True(open.Open);
        Assert.Null((await device.GetSnapshotAsync())!.OpenEpisode); // cleared by then
        var episode = Assert.Single(cleared.Episodes, e => e.DeviceId == "episode");
        Assert.Equal((calibrated, HealthState.Critical), (episode.StartSeq, episode.Severity));
        Assert.InRange(episode.EndSeq!.Value, calibrated + 3, calibrated + 4 + 30 - options.ClearAfter); // the last score not yet clear
        Assert.InRange(episode.PeakSeq, calibrated, calibrated + 3);
        Assert.True(episode.PeakScore >= open.PeakScore);
        Assert.Equal((open.RaisedAt, open.Threshold, "statistical"), (episode.RaisedAt, episode.Threshold, episode.Scorer));
        Assert.NotNull(episode.ClearedAt);
        Assert.False(episode.NewNormal);
        Assert.NotEmpty(episode.TopContributors);
    }

    [Fact]
    public async Task Anomaly_NamesTheContributingFeatures()
    {
        var device = Device("contributors");
        var normal = TestData.Normal(0, 60, F, seed: 17);
        await device.IngestAsync(normal);
        var spike = (float[])normal[^1].Values.Clone();
        spike[2] += 40;

        await device.IngestAsync([new TelemetrySample(60, 0, spike)]);
        var snapshot = (await device.GetSnapshotAsync())!;

        Assert.Equal(2, snapshot.TopContributors[0].Feature);
        Assert.True(snapshot.Score > snapshot.Threshold.Effective);
    }

    [Fact]
    public async Task PinThreshold_OverridesTheLearnedOne_AndUnpinRestoresIt()
    {
        var device = Device("pin");
        await device.IngestAsync(TestData.Normal(0, 60, F, seed: 18));
        var learned = (await device.GetSnapshotAsync())!.Threshold.Learned;

        var pinned = await device.PinThresholdAsync(123f);
        var unpinned = await device.PinThresholdAsync(null);

        Assert.Equal(123f, pinned!.Threshold.Effective);
        Assert.Equal(learned, pinned.Threshold.Learned);
        Assert.Equal(learned, unpinned!.Threshold.Effective);
        Assert.Null(unpinned.Threshold.Pinned);
    }

    [Fact]
    public async Task UnknownDevice_HasNoSnapshotOrWindow()
    {
        var device = Device("never-reported");

        Assert.Null(await device.GetSnapshotAsync());
        Assert.Null(await device.GetWindowAsync());
        Assert.Null(await device.PinThresholdAsync(1f));
    }

    [Fact]
    public async Task State_SurvivesDeactivationAndReactivation()
    {
        var device = Device("persisted");
        await device.IngestAsync(TestData.Normal(0, 50, F, seed: 19));
        await device.PinThresholdAsync(9f);
        var before = (await device.GetSnapshotAsync())!;
        var windowBefore = (await device.GetWindowAsync())!;

        await fixture.Cluster.DeactivateAsync(device);
        await fixture.Cluster.WaitForDeactivationAsync(device);

        var after = (await device.GetSnapshotAsync())!;
        var windowAfter = (await device.GetWindowAsync())!;
        Assert.Equal(before.LastSeq, after.LastSeq);
        Assert.Equal(before.Counters, after.Counters);
        Assert.Equal(before.Threshold, after.Threshold);
        Assert.Equal(before.Score, after.Score);
        Assert.Equal(windowBefore.Samples.Select(s => s.Values), windowAfter.Samples.Select(s => s.Values));
        Assert.Equal(1, (await device.IngestAsync(TestData.Normal(49, 2, F, seed: 20))).Duplicates);
    }

    [Fact]
    public async Task State_IsWrittenOnATimerAfterChanges_NeverPerEvent()
    {
        var device = Device("write-behind");
        var grainId = device.GetGrainId();
        foreach (var sample in TestData.Normal(0, 100, F, seed: 21))
        {
            await device.IngestAsync([sample]);
        }

        Assert.Equal(0, fixture.Storage.WritesOf(grainId));

        await fixture.AdvancePastPersistIntervalAsync();
        await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.Storage.WritesOf(grainId)), n => n == 1, "one write");

        await fixture.AdvancePastPersistIntervalAsync();
        Assert.Equal(1, fixture.Storage.WritesOf(grainId)); // nothing changed since: nothing written
    }

    [Fact]
    public async Task ADeviceThatDeactivatesBeforeItsWriteIsDue_WritesThen_AndIsNotActivatedAgainByTheSchedule()
    {
        var device = Device("gone-before-due");
        var grainId = device.GetGrainId();
        await device.IngestAsync(TestData.Normal(0, 10, F, seed: 24));

        await fixture.Cluster.DeactivateAsync(device);
        await fixture.Cluster.WaitForDeactivationAsync(device);
        Assert.Equal(1, fixture.Storage.WritesOf(grainId));

        await fixture.AdvancePastPersistIntervalAsync();
        await Task.Delay(200); // a call the schedule sent would reach the silo within this
        Assert.Equal((1, 1), (fixture.Storage.ReadsOf(grainId), fixture.Storage.WritesOf(grainId)));
    }

    [Fact]
    public async Task AWriteRefusedForAConflict_EndsTheActivation_AndTheNextOneStartsFromTheStoredCopy_AndWritesAgain()
    {
        var device = Device("lost-answer");
        var grainId = device.GetGrainId();
        await device.IngestAsync(TestData.Normal(0, 10, F, seed: 22));
        fixture.Storage.LoseAnswerToNextWrite(grainId);
        await fixture.AdvancePastPersistIntervalAsync();
        await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.Storage.WritesOf(grainId)), n => n == 1, "the write whose answer is lost");

        // Seq 10..14 are not in the stored copy; the retry of the write carries an ETag the store no longer has.
        await device.IngestAsync(TestData.Normal(10, 5, F, seed: 23));
        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grainId);
        await fixture.AdvancePastPersistIntervalAsync();
        await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.Storage.ConflictsOf(grainId)), n => n == 1, "the refused retry");
        await deactivated.WaitAsync(TimeSpan.FromSeconds(15));

        var resent = await device.IngestAsync(TestData.Normal(10, 5, F, seed: 23));
        Assert.Equal((5, 0), (resent.Accepted, resent.Duplicates));
        await fixture.AdvancePastPersistIntervalAsync();
        await ClusterFixture.EventuallyAsync(() => Task.FromResult(fixture.Storage.WritesOf(grainId)), n => n == 2, "a write of the new activation");
        Assert.Equal(1, fixture.Storage.ConflictsOf(grainId));
        var snapshot = (await device.GetSnapshotAsync())!;
        Assert.Equal((14L, 15L), (snapshot.LastSeq, snapshot.Counters.Accepted));
    }
}
