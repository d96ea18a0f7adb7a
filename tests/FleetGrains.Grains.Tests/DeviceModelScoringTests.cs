using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

/// <summary>The twin's side of model scoring: what it captures, when, and what it does with the scores.</summary>
public class DeviceModelScoringTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelRef Model = new("m", 1);

    [Fact]
    public void Capture_StartsWhenTheWindowIsFull_ThenEveryKSamples_OldestSampleFirst()
    {
        var options = new DeviceOptions { ScoreEvery = 2 };
        var twin = new DeviceTwin(8, 1);
        var capture = new WindowCapture(3, 1);

        twin.Ingest(Samples(0, 8), Now, options, null, capture, []);

        // The window is full (3 samples) at seq 2; due every 2nd sample from then on: seq 3, 5, 7.
        Assert.Equal(3, capture.Rows);
        Assert.Equal([3L, 5L, 7L], Enumerable.Range(0, 3).Select(r => capture.RowAt(r).Seq));
        Assert.Equal([1f, 2f, 3f, 3f, 4f, 5f, 5f, 6f, 7f], capture.RequestFor(3).Windows.ToArray());
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f], capture.RequestFor(2).Windows.ToArray());
    }

    [Fact]
    public void Capture_OfEverySample_IsHandedToTheRequestAsIs_AndTakesNoRowsAfterThat()
    {
        var twin = new DeviceTwin(4, 2);
        var capture = new WindowCapture(2, 2, expectedRows: 3);
        twin.Ingest([.. Enumerable.Range(0, 4).Select(i => new TelemetrySample(i, i * 1000, [i, 10 * i]))], Now, new DeviceOptions(), null, capture, []);

        // The window is full at seq 1: rows at seq 1, 2, 3, as many as expected.
        Assert.Equal(3, capture.Rows);
        float[] expected = [0, 0, 1, 10, 1, 10, 2, 20, 2, 20, 3, 30];
        Assert.Equal([1f, 10f, 2f, 20f, 3f, 30f], capture.RequestFor(1).Windows.ToArray());
        var whole = capture.RequestFor(2);
        Assert.Equal(expected, whole.Windows.ToArray());
        Assert.True(whole.Windows.Equals(capture.RequestFor(2).Windows), "the captured memory itself, not a copy");
        Assert.Throws<InvalidOperationException>(() => capture.Add(twin.Window, 4, 4000));
    }

    [Fact]
    public void Capture_AlsoWhenTheScoreIntervalPassed()
    {
        var options = new DeviceOptions { ScoreEvery = 100, ScoreInterval = TimeSpan.FromSeconds(3) };
        var twin = new DeviceTwin(8, 1);
        var capture = new WindowCapture(1, 1);

        // One sample per second (timestamps are seq × 1000 ms): first scoring by count never comes.
        twin.Ingest(Samples(0, 10), Now, options, null, capture, []);

        Assert.Equal([3L, 6L, 9L], Enumerable.Range(0, capture.Rows).Select(r => capture.RowAt(r).Seq));
    }

    [Fact]
    public void ModelScores_CalibrateTheThreshold_DriveHealth_AndExplainByFeatureErrors()
    {
        var options = new DeviceOptions { CalibrationScores = 4, ThresholdQuantile = 1, ThresholdMargin = 1.5, RaiseAfter = 2, ClearAfter = 2, TopContributors = 2 };
        var twin = new DeviceTwin(4, 3);
        twin.SwitchScorer(Model.Key);
        var transitions = new List<HealthTransition>();

        Score(twin, options, transitions, [0.01f, 0.02f, 0.01f, 0.02f]);
        Assert.Equal(0.03f, twin.Threshold!.Value, 5); // max × 1.5, far below the statistical scorer's floor of 1
        Assert.Equal((HealthState.Unknown, HealthState.Healthy), (transitions.Single().From, transitions.Single().To));

        Score(twin, options, transitions, [0.05f, 0.05f]);
        var warning = transitions.Last();
        Assert.Equal((HealthState.Healthy, HealthState.Warning, 0.05f, 5L), (warning.From, warning.To, warning.Score, warning.Seq));
        // Feature errors of every row are [0.0, 0.3, 0.1] × score: feature 1 first, then 2.
        Assert.Equal([1, 2], warning.TopContributors.Select(c => c.Feature));
        Assert.Equal(0.75f, warning.TopContributors[0].Share, 4);

        var snapshot = twin.ToSnapshot("f", "d", Now, options);
        Assert.Equal((Model.Key, 6L, HealthState.Warning), (snapshot.Scoring.Scorer, snapshot.Counters.Scored, snapshot.Health));
    }

    [Fact]
    public void ModelScores_ExplainEachHealthChangeByItsOwnRow_AndTheDeviceByTheNewestRow()
    {
        var options = new DeviceOptions { CalibrationScores = 2, ThresholdQuantile = 1, ThresholdMargin = 2, RaiseAfter = 1, ClearAfter = 5, TopContributors = 1 };
        var twin = new DeviceTwin(4, 3);
        twin.SwitchScorer(Model.Key);
        var transitions = new List<HealthTransition>();
        var capture = new WindowCapture(1, 3);
        twin.Ingest([.. Enumerable.Range(0, 4).Select(i => new TelemetrySample(i, i * 1000, new float[3]))], Now, options, null, capture, transitions);

        // Rows 0–1 calibrate the threshold to 0.02 (→ Healthy at row 1), row 2 is an anomaly of feature 1 (→ Warning),
        // row 3 is normal again (no change: it takes 5 to clear), led by feature 2.
        float[] errors = [1, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0.001f];
        twin.ApplyModelScores(new ScoringResult(Model, new[] { 0.01f, 0.01f, 0.03f, 0.001f }, errors, 3), capture, options, transitions);

        Assert.Equal([HealthState.Healthy, HealthState.Warning], transitions.Select(t => t.To));
        Assert.Equal([0], transitions[0].TopContributors.Select(c => c.Feature));
        Assert.Equal([1], transitions[1].TopContributors.Select(c => c.Feature));
        var snapshot = twin.ToSnapshot("f", "d", Now, options);
        Assert.Equal((0.001f, HealthState.Warning), (snapshot.Score, snapshot.Health));
        Assert.Equal([2], snapshot.TopContributors.Select(c => c.Feature));
    }

    [Fact]
    public void SwitchScorer_LearnsTheThresholdAfresh_ButKeepsTheWindow()
    {
        var options = new DeviceOptions { CalibrationScores = 2, ThresholdQuantile = 1 };
        var twin = new DeviceTwin(4, 3);
        twin.SwitchScorer(Model.Key);
        Score(twin, options, [], [0.01f, 0.02f]);
        twin.PinThreshold(5f);
        Assert.NotNull(twin.Threshold);

        Assert.True(twin.SwitchScorer("m@2"));
        Assert.False(twin.SwitchScorer("m@2"));

        var snapshot = twin.ToSnapshot("f", "d", Now, options);
        Assert.Equal((null, null, null, 0), (snapshot.Threshold.Effective, snapshot.Threshold.Learned, snapshot.Threshold.Pinned, snapshot.Threshold.CalibrationScores));
        Assert.Equal(2, twin.Window.Count);
    }

    [Fact]
    public void Window_GrowsToWhatTheModelsRead_AndStaysSoWhenTheConfiguredSizeIsApplied()
    {
        var twin = new DeviceTwin(4, 1);
        twin.Ingest(Samples(0, 4), Now, new DeviceOptions(), null, null, []);

        Assert.True(twin.RequireModelWindow(6, configured: 4));
        Assert.False(twin.ResizeWindow(4)); // as on reactivation: the models still need 6
        Assert.Equal((6, 4), (twin.Window.Capacity, twin.Window.Count));

        Assert.True(twin.RequireModelWindow(0, configured: 4)); // no models any more
        Assert.Equal((4, 4), (twin.Window.Capacity, twin.Window.Count));
    }

    [Fact]
    public void Rul_KeepsTheNewestEstimate_UntilMaintenanceResetsIt()
    {
        var twin = new DeviceTwin(4, 1);
        var capture = new WindowCapture(1, 1);
        twin.Ingest(Samples(0, 2), Now, new DeviceOptions(), null, capture, []);
        twin.ApplyRul(new ScoringResult(new ModelRef("rul", 3), new[] { 40f, 38f }, Array.Empty<float>(), 0), capture, Now, new DeviceOptions());

        var scoring = twin.ToSnapshot("f", "d", Now, new DeviceOptions()).Scoring;
        Assert.Equal(("rul@3", 38f, Now), (scoring.RulModel, scoring.Rul, scoring.RulAt));

        twin.ResetDegradation();
        Assert.Null(twin.Rul);
    }

    [Fact]
    public void ScoreHistory_HasEveryScoredSample_WithTheThresholdAfterIt_AndItsRul()
    {
        var options = new DeviceOptions { CalibrationScores = 2, ThresholdQuantile = 1, ThresholdMargin = 1 };
        var twin = new DeviceTwin(4, 3);
        twin.SwitchScorer(Model.Key);
        var capture = new WindowCapture(1, 3);
        twin.Ingest([.. Enumerable.Range(0, 3).Select(i => new TelemetrySample(i, i * 1000, new float[3]))], Now, options, null, capture, []);
        twin.ApplyModelScores(new ScoringResult(Model, new[] { 0.1f, 0.2f, 0.3f }, new float[9], 3), capture, options, []);
        twin.ApplyRul(new ScoringResult(new ModelRef("rul", 1), new[] { 30f, 29f, 28f }, Array.Empty<float>(), 0), capture, Now, options);

        var history = twin.ToScoreHistory("f", "d", afterSeq: 0, options);

        Assert.Equal((options.ScoreHistory, Model.Key, "rul@1"), (history.Capacity, history.Scorer, history.RulModel));
        Assert.Equal(
            [
                new ScorePoint(1, DateTimeOffset.FromUnixTimeMilliseconds(1000), 0.2f, 0.2f, 29f) { Health = HealthState.Healthy },
                new ScorePoint(2, DateTimeOffset.FromUnixTimeMilliseconds(2000), 0.3f, 0.2f, 28f) { Health = HealthState.Healthy },
            ],
            history.Points);
        Assert.Null(twin.ToScoreHistory("f", "d", -1, options).Points[0].Threshold); // still calibrating after the first score
    }

    [Fact]
    public void ScoringFailure_IsRecorded_AndTheSamplesAreKept()
    {
        var twin = new DeviceTwin(4, 1);
        var outcome = twin.Ingest(Samples(0, 3), Now, new DeviceOptions(), null, new WindowCapture(2, 1), []);
        twin.RecordScoringFailure("m@1: no silo hosts models", Now);

        var snapshot = twin.ToSnapshot("f", "d", Now, new DeviceOptions());
        Assert.Equal(3, outcome.Accepted);
        Assert.Equal(3, snapshot.Counters.Accepted);
        Assert.Equal((1L, "m@1: no silo hosts models", Now), (snapshot.Scoring.Failures, snapshot.Scoring.LastError, snapshot.Scoring.LastErrorAt));
    }

    /// <summary>Ingests one sample per score and applies the given model scores to the captured rows.</summary>
    private static void Score(DeviceTwin twin, DeviceOptions options, List<HealthTransition> transitions, float[] scores)
    {
        var capture = new WindowCapture(1, twin.FeatureCount);
        var first = twin.LastSeq + 1;
        twin.Ingest([.. Enumerable.Range(0, scores.Length).Select(i => new TelemetrySample(first + i, (first + i) * 1000, new float[twin.FeatureCount]))], Now, options, null, capture, transitions);
        var errors = scores.SelectMany(s => new[] { 0f, 0.3f * s, 0.1f * s }).ToArray();
        twin.ApplyModelScores(new ScoringResult(Model, scores, errors, 3), capture, options, transitions);
    }

    private static TelemetrySample[] Samples(long first, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TelemetrySample(first + i, (first + i) * 1000, [first + i]))];
}
