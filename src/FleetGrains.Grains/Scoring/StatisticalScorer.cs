using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Scoring;

/// <summary>
/// A diagonal Mahalanobis score: the root mean square of the newest sample's per-feature z-scores
/// against the device's running statistics. A feature that has stopped changing while it normally
/// varies (a stuck sensor) contributes a fixed deviation, because its z-score alone would look normal.
/// Each feature's share of the squared score explains the score.
/// </summary>
public sealed class StatisticalScorer(IOptions<StatisticalScorerOptions> options) : IAnomalyScorer
{
    private readonly StatisticalScorerOptions _options = options.Value;

    // Runs once per scored sample and allocates nothing: the deviations go into the caller's explanation.
    public float Score(RingBuffer window, RunningStatistics statistics, ScoreExplanation explanation)
    {
        if (window.Count == 0)
        {
            throw new InvalidOperationException("Cannot score an empty window.");
        }

        var features = window.Features;
        var newest = window.Sample(0);
        explanation.Reset(features);
        var deviations = explanation.Deviations;
        var stuck = explanation.Stuck;
        double sumOfSquares = 0;
        for (var i = 0; i < features; i++)
        {
            var mean = statistics.Mean(i);
            var stdDev = statistics.StdDev(i);
            var floor = _options.RelativeStdDevFloor * Math.Max(1.0, Math.Abs(mean));
            var z = (float)Math.Clamp((newest[i] - mean) / Math.Max(stdDev, floor), -_options.MaxDeviation, _options.MaxDeviation);
            if (stdDev > floor && IsStuck(window, i))
            {
                stuck[i] = true;
                z = Math.Max(Math.Abs(z), _options.StuckDeviation);
            }

            deviations[i] = z;
            sumOfSquares += (double)z * z;
        }

        explanation.SumOfSquares = sumOfSquares;
        return (float)Math.Sqrt(sumOfSquares / features);
    }

    private bool IsStuck(RingBuffer window, int feature)
    {
        var run = _options.StuckRunLength;
        if (window.Count < run)
        {
            return false;
        }

        var value = window.Sample(0)[feature];
        for (var age = 1; age < run; age++)
        {
            if (window.Sample(age)[feature] != value)
            {
                return false;
            }
        }

        return true;
    }
}
