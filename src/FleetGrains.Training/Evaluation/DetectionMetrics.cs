namespace FleetGrains.Training.Evaluation;

/// <summary>Counts of a binary detection against labels, and the scores derived from them.</summary>
public sealed record Confusion(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>Point-wise and point-adjusted detection metrics for time-series anomaly detection.</summary>
public static class DetectionMetrics
{
    public static Confusion Confusion(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> actual)
    {
        CheckLengths(predicted.Length, actual.Length);
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            switch ((predicted[i], actual[i]))
            {
                case (true, true): tp++; break;
                case (true, false): fp++; break;
                case (false, true): fn++; break;
                default: tn++; break;
            }
        }

        return new Confusion(tp, fp, fn, tn);
    }

    /// <summary>
    /// Point adjustment: when any point of a labelled anomaly segment is flagged, every point of that
    /// segment counts as flagged. Flags outside segments are kept as they are.
    /// </summary>
    public static bool[] PointAdjust(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> actual)
    {
        CheckLengths(predicted.Length, actual.Length);
        var adjusted = predicted.ToArray();
        var start = 0;
        while (start < actual.Length)
        {
            if (!actual[start])
            {
                start++;
                continue;
            }

            var end = start;
            var hit = false;
            while (end < actual.Length && actual[end])
            {
                hit |= predicted[end];
                end++;
            }

            if (hit)
            {
                adjusted.AsSpan(start, end - start).Fill(true);
            }

            start = end;
        }

        return adjusted;
    }

    public static bool[] Flag(ReadOnlySpan<float> scores, float threshold)
    {
        var flags = new bool[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            flags[i] = scores[i] >= threshold;
        }

        return flags;
    }

    /// <summary>
    /// The best F1 over every threshold, for reference only (it looks at the labels). Point-wise, every
    /// distinct score is tried exactly; point-adjusted, <paramref name="candidates"/> quantiles of the scores.
    /// </summary>
    public static (double F1, float Threshold) BestF1(ReadOnlySpan<float> scores, ReadOnlySpan<bool> actual, bool pointAdjusted, int candidates = 400)
    {
        CheckLengths(scores.Length, actual.Length);
        return pointAdjusted ? BestAdjustedF1(scores, actual, candidates) : BestPointwiseF1(scores, actual);
    }

    private static (double, float) BestPointwiseF1(ReadOnlySpan<float> scores, ReadOnlySpan<bool> actual)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var copy = scores.ToArray();
        Array.Sort(order, (a, b) => copy[b].CompareTo(copy[a]));
        var positives = 0;
        foreach (var a in actual)
        {
            positives += a ? 1 : 0;
        }

        var best = (F1: 0.0, Threshold: float.PositiveInfinity);
        int tp = 0, flagged = 0;
        for (var k = 0; k < order.Length; k++)
        {
            flagged++;
            tp += actual[order[k]] ? 1 : 0;
            if (k + 1 < order.Length && copy[order[k + 1]] == copy[order[k]])
            {
                continue; // ties are flagged together
            }

            var f1 = positives == 0 ? 0 : 2.0 * tp / (flagged + positives);
            if (f1 > best.F1)
            {
                best = (f1, copy[order[k]]);
            }
        }

        return best;
    }

    private static (double, float) BestAdjustedF1(ReadOnlySpan<float> scores, ReadOnlySpan<bool> actual, int candidates)
    {
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        var best = (F1: 0.0, Threshold: float.PositiveInfinity);
        for (var c = 0; c < candidates; c++)
        {
            var threshold = sorted[(int)((long)c * (sorted.Length - 1) / Math.Max(1, candidates - 1))];
            var f1 = Confusion(PointAdjust(Flag(scores, threshold), actual), actual).F1;
            if (f1 > best.F1)
            {
                best = (f1, threshold);
            }
        }

        return best;
    }

    private static void CheckLengths(int predicted, int actual)
    {
        if (predicted != actual)
        {
            throw new ArgumentException($"{predicted} predictions for {actual} labels.");
        }
    }
}
