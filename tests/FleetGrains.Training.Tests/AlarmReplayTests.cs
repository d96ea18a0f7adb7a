using FleetGrains.Detection;
using FleetGrains.Training.Evaluation;

namespace FleetGrains.Training.Tests;

public class AlarmReplayTests
{
    [Fact]
    public void Run_JudgesOnlyTheScoresAfterTheCalibration_EvenWhenItsLastScoreIsFarAboveTheRest()
    {
        // A training split whose tail leaves the range of its earlier rows ends in a very high score.
        var calibration = Enumerable.Repeat(1f, 999).Append(1000f).ToArray();
        var scores = Enumerable.Repeat(1f, 50).Concat(Enumerable.Repeat(10f, 5)).Concat(Enumerable.Repeat(1f, 10)).ToArray();

        var run = AlarmReplay.Run(calibration, scores, AlarmPolicies.ModelScores);

        var episode = Assert.Single(run.Episodes);
        Assert.Equal((50L, 54L), (episode.Start, episode.End));
        Assert.Equal(Enumerable.Range(0, scores.Length).Select(i => i is >= 50 and <= 54), run.InEpisode);
    }
}
