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
            history.RecordScore(seq, seq * 10, seq / 10f, null);
        }

        Assert.Equal([2L, 3L, 4L], history.After(-1).Select(p => p.Seq));
        Assert.Equal([4L], history.After(3).Select(p => p.Seq));
        Assert.Equal((0.4f, null, null), (history.After(3)[0].Score, history.After(3)[0].Threshold, history.After(3)[0].Rul));
    }

    [Fact]
    public void ARulOfTheSameSample_JoinsItsScore()
    {
        var history = new ScoreHistory(4);
        history.RecordScore(7, 70, 0.5f, 1f);
        history.RecordScore(8, 80, 0.6f, 1f);
        history.RecordRul(7, 70, 40f);
        history.RecordRul(8, 80, 39f);

        Assert.Equal([(7L, 0.5f, 40f), (8L, 0.6f, 39f)], history.After(-1).Select(p => (p.Seq, p.Score!.Value, p.Rul!.Value)));
    }

    [Fact]
    public void AnOlderSample_IsInsertedInOrder_OrDroppedWhenOlderThanAFullHistory()
    {
        var history = new ScoreHistory(3);
        history.RecordScore(5, 50, 0.5f, null);
        history.RecordScore(9, 90, 0.9f, null);
        history.RecordRul(7, 70, 3f);
        Assert.Equal([5L, 7L, 9L], history.After(-1).Select(p => p.Seq));
        Assert.Equal((null, 3f), (history.After(6)[0].Score, history.After(6)[0].Rul));

        history.RecordRul(1, 10, 9f);
        Assert.Equal([5L, 7L, 9L], history.After(-1).Select(p => p.Seq));

        history.RecordRul(6, 60, 4f); // the oldest (5) makes room
        Assert.Equal([6L, 7L, 9L], history.After(-1).Select(p => p.Seq));
    }
}
