using FleetGrains.Detection;

namespace FleetGrains.Training.Evaluation;

/// <summary>
/// What a device's alarm policy makes of a scored series (<see cref="AlarmReplay.Run"/>): the threshold learned from the
/// calibration scores; per score whether it lies in an alarm episode, the threshold it was judged against and the level
/// after it (what a device's health would be); and the episodes.
/// </summary>
public sealed record AlarmRun(float Threshold, bool[] InEpisode, float[] Thresholds, AlarmLevel[] Levels, IReadOnlyList<AlarmEpisode> Episodes);

/// <summary>
/// The device grains' alarm policy (<see cref="AlarmDetector"/>) over a scored series, offline: the calibration
/// scores (the training rows') teach the threshold as a device's first scores do, and every later score is judged
/// as a device judges it, one at a time in order. An episode still open at the end lasts to the last score.
/// </summary>
public static class AlarmReplay
{
    /// <param name="calibration">Scores the threshold is learned from (all of them: the policy's calibration count is their number).</param>
    /// <param name="scores">The scores to judge; position i of the result is <paramref name="scores"/>[i].</param>
    public static AlarmRun Run(ReadOnlySpan<float> calibration, ReadOnlySpan<float> scores, AlarmPolicy policy)
    {
        if (calibration.IsEmpty)
        {
            throw new ArgumentException("The threshold needs at least one calibration score.", nameof(calibration));
        }

        policy = policy with { Threshold = policy.Threshold with { CalibrationScores = calibration.Length } };
        var detector = new AlarmDetector();
        foreach (var score in calibration)
        {
            detector.Observe(score, -1, policy);
        }

        var learned = detector.Threshold.Effective!.Value;
        var thresholds = new float[scores.Length];
        var levels = new AlarmLevel[scores.Length];
        var episodes = new List<AlarmEpisode>();
        for (var i = 0; i < scores.Length; i++)
        {
            thresholds[i] = detector.Threshold.Effective!.Value;
            var step = detector.Observe(scores[i], i, policy);
            levels[i] = step.After;
            if (step.Ended is { } ended)
            {
                episodes.Add(ended);
            }
        }

        if (detector.OpenEpisode(scores.Length - 1) is { } open)
        {
            episodes.Add(open);
        }

        var inEpisode = new bool[scores.Length];
        foreach (var episode in episodes)
        {
            inEpisode.AsSpan((int)episode.Start, (int)(episode.End - episode.Start + 1)).Fill(true);
        }

        return new AlarmRun(learned, inEpisode, thresholds, levels, episodes);
    }
}
