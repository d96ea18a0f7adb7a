namespace FleetGrains.Training.Nn;

/// <summary>The mean of squared differences over every element, and its gradient.</summary>
public static class MeanSquaredError
{
    public static float Loss(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        double sum = 0;
        for (var i = 0; i < prediction.Length; i++)
        {
            var d = (double)prediction[i] - target[i];
            sum += d * d;
        }

        return (float)(sum / prediction.Length);
    }

    public static float[] Gradient(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        CheckLengths(prediction, target);
        var gradient = new float[prediction.Length];
        var scale = 2f / prediction.Length;
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] = scale * (prediction[i] - target[i]);
        }

        return gradient;
    }

    private static void CheckLengths(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        if (prediction.Length != target.Length || prediction.Length == 0)
        {
            throw new ArgumentException($"Prediction ({prediction.Length}) and target ({target.Length}) must have the same, non-zero length.");
        }
    }
}
