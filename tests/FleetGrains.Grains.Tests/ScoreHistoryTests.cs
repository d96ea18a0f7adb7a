using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

public class ScoreHistoryTests
{
    [Fact]
    public void KeepsTheNewestScorings_OldestFirst()
    {
        var history = new ScoreHistory(3);
        for (var seq = 0; seq < 5; seq++)
        {
            history.RecordScore(seq, seq * 10, seq / 10f, null, HealthState.Unknown);
        }

        Assert.Equal([2L, 3L, 4L], history.After(-1).Select(p => p.Seq));
        Assert.Equal([4L], history.After(3).Select(p => p.Seq));
        Assert.Equal((0.4f, null, null), (history.After(3)[0].Score, history.After(3)[0].Threshold, history.After(3)[0].Rul));
    }

    [Fact]
    public void ARulOfTheSameSample_JoinsItsScore()
    {
        var history = new ScoreHistory(4);
        history.RecordScore(7, 70, 0.5f, 1f, HealthState.Healthy);
        history.RecordScore(8, 80, 0.6f, 1f, HealthState.Warning);
        history.RecordRul(7, 70, 40f);
        history.RecordRul(8, 80, 39f);

        Assert.Equal([(7L, 0.5f, 40f, HealthState.Healthy), (8L, 0.6f, 39f, HealthState.Warning)],
            history.After(-1).Select(p => (p.Seq, p.Score!.Value, p.Rul!.Value, p.Health!.Value)));
    }

    [Fact]
    public void AnOlderSample_IsInsertedInOrder_OrDroppedWhenOlderThanAFullHistory()
    {
        var history = new ScoreHistory(3);
        history.RecordScore(5, 50, 0.5f, null, HealthState.Unknown);
        history.RecordScore(9, 90, 0.9f, null, HealthState.Unknown);
        history.RecordRul(7, 70, 3f);
        Assert.Equal([5L, 7L, 9L], history.After(-1).Select(p => p.Seq));
        Assert.Equal((null, 3f, null), (history.After(6)[0].Score, history.After(6)[0].Rul, history.After(6)[0].Health));

        history.RecordRul(1, 10, 9f);
        Assert.Equal([5L, 7L, 9L], history.After(-1).Select(p => p.Seq));

        history.RecordRul(6, 60, 4f); // the oldest (5) makes room
        Assert.Equal([6L, 7L, 9L], history.After(-1).Select(p => p.Seq));
    }
}
