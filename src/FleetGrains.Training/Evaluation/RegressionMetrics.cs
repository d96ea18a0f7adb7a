namespace FleetGrains.Training.Evaluation;

/// <summary>Errors of remaining-useful-life predictions, with d = predicted − true.</summary>
public static class RegressionMetrics
{
    public static double Rmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double sum = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            var d = (double)predicted[i] - actual[i];
            sum += d * d;
        }

        return Math.Sqrt(sum / predicted.Length);
    }

    /// <summary>
    /// The PHM08 score (Saxena et al. 2008): Σ exp(−d/13) − 1 for early predictions (d &lt; 0) and
    /// exp(d/10) − 1 for late ones; lower is better, and late predictions cost more.
    /// </summary>
    public static double PhmScore(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double sum = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            var d = (double)predicted[i] - actual[i];
            sum += d < 0 ? Math.Exp(-d / 13) - 1 : Math.Exp(d / 10) - 1;
        }

        return sum;
    }

    private static void Check(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length || predicted.Length == 0)
        {
            throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} true values.");
        }
    }
}
