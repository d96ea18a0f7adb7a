using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Scoring;

/// <summary>Explains a score by the features with the largest share of it.</summary>
public static class Contributions
{
    /// <summary>
    /// At most <paramref name="count"/> features whose share of <paramref name="sumOfSquares"/> (deviation²
    /// over the sum) is at least <paramref name="minShare"/>, largest first, ties by feature index.
    /// </summary>
    public static FeatureContribution[] Top(
        ReadOnlySpan<float> deviations, ReadOnlySpan<bool> stuck, double sumOfSquares, int count, float minShare)
    {
        if (sumOfSquares <= 0)
        {
            return [];
        }

        Span<bool> taken = deviations.Length <= 512 ? stackalloc bool[deviations.Length] : new bool[deviations.Length];
        var top = new List<FeatureContribution>(Math.Min(count, deviations.Length));
        while (top.Count < count)
        {
            var best = -1;
            for (var i = 0; i < deviations.Length; i++)
            {
                if (!taken[i] && (best < 0 || Math.Abs(deviations[i]) > Math.Abs(deviations[best])))
                {
                    best = i;
                }
            }

            var share = best < 0 ? 0f : (float)(deviations[best] * (double)deviations[best] / sumOfSquares);
            if (best < 0 || share < minShare)
            {
                break;
            }

            taken[best] = true;
            top.Add(new FeatureContribution(best, deviations[best], share, !stuck.IsEmpty && stuck[best]));
        }

        return [.. top];
    }

    /// <summary>
    /// The explanation of a model score from its per-feature squared errors: each feature's deviation is
    /// the root of its error, its share the error over their sum.
    /// </summary>
    public static FeatureContribution[] FromSquaredErrors(ReadOnlySpan<float> squaredErrors, int count, float minShare = 0.05f)
    {
        Span<float> deviations = squaredErrors.Length <= 512 ? stackalloc float[squaredErrors.Length] : new float[squaredErrors.Length];
        double sum = 0;
        for (var i = 0; i < squaredErrors.Length; i++)
        {
            var error = Math.Max(0f, squaredErrors[i]);
            deviations[i] = MathF.Sqrt(error);
            sum += error;
        }

        return Top(deviations, [], sum, count, minShare);
    }
}
