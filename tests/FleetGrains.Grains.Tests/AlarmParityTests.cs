using FleetGrains.Abstractions;
using FleetGrains.Detection;
using FleetGrains.Grains.Devices;
using FleetGrains.Training.Evaluation;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// <c>fleetctl replay</c> and <c>eval</c> judge scores with the alarm policy offline (<see cref="AlarmReplay"/>); a
/// device grain judges its model's scores as they arrive. On the same scores they must raise the same alarms.
/// </summary>
public class AlarmParityTests
{
    private const int Calibration = 200;
    private static readonly ModelRef Model = new("m", 1);
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheDeviceAndTheReplay_RaiseTheSameAlarms_OnTheSameScores()
    {
        var options = new DeviceOptions { CalibrationScores = Calibration, TopContributors = 1 };
        var scores = Scores();

        var replay = AlarmReplay.Run(scores.AsSpan(0, Calibration), scores.AsSpan(Calibration), options.ModelAlarmPolicy);
        var device = DeviceHealth(options, scores);

        Assert.True(replay.Episodes.Count >= 4, $"the series should raise several episodes, raised {replay.Episodes.Count}");
        Assert.Contains(replay.Episodes, e => e.NewNormal);
        Assert.Equal(replay.Levels.Select(ToHealth), device.Skip(Calibration));
    }

    [Fact]
    public void ADevicesDefaultPolicies_AreTheOnesReplayAndEvalUse()
    {
        var options = new DeviceOptions();

        Assert.Equal(AlarmPolicies.ModelScores, options.ModelAlarmPolicy);
        Assert.Equal(AlarmPolicies.StatisticalScores, options.AlarmPolicy);
        Assert.Equal(AlarmPolicies.ModelScores, new CsvReplayOptions([0], 100, null, new()).Alarms);
        Assert.Equal(AlarmPolicies.ModelScores, new SmdEvaluationOptions().Alarms);
    }

    // Normal scores with a spike, a burst, a short excursion near the threshold and a lasting shift.
    private static float[] Scores()
    {
        var random = new Random(21);
        return [.. Enumerable.Range(0, 6_000).Select(i =>
        {
            var normal = 0.01f * (1 + (float)random.NextDouble());
            return i switch
            {
                1_000 => 0.5f,
                >= 2_000 and < 2_040 => normal * 4,
                >= 3_000 and < 3_004 => 0.028f,
                >= 4_000 => normal + 0.05f,
                _ => normal,
            };
        })];
    }

    // The device's health after each score, fed in batches as ingest calls bring them.
    private static List<HealthState> DeviceHealth(DeviceOptions options, float[] scores)
    {
        var twin = new DeviceTwin(4, 1);
        twin.SwitchScorer(Model.Key);
        var health = new List<HealthState>();
        foreach (var batch in Enumerable.Range(0, scores.Length).Chunk(37))
        {
            var transitions = new List<HealthTransition>();
            using var capture = new WindowCapture(1, 1, batch.Length);
            twin.Ingest([.. batch.Select(i => new TelemetrySample(i, i * 1_000L, [0f]))], Now, options, null, capture, transitions);
            var batchScores = batch.Select(i => scores[i]).ToArray();
            twin.ApplyModelScores(new ScoringResult(Model, batchScores, new float[batch.Length], 1), capture, options, transitions);
            foreach (var i in batch)
            {
                var changed = transitions.LastOrDefault(t => t.Seq == i);
                health.Add(changed?.To ?? (health.Count > 0 ? health[^1] : HealthState.Unknown));
            }
        }

        return health;
    }

    private static HealthState ToHealth(AlarmLevel level) => level switch
    {
        AlarmLevel.Normal => HealthState.Healthy,
        AlarmLevel.Warning => HealthState.Warning,
        AlarmLevel.Critical => HealthState.Critical,
        _ => HealthState.Unknown,
    };
}
