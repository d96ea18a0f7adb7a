using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Scoring;

/// <summary>Explains a score by the features with the largest share of it.</summary>
public static class Contributions
{
    public const float DefaultMinShare = 0.05f;

    /// <summary>
    /// At most <paramref name="count"/> features whose share of <paramref name="sumOfSquares"/> (deviation²
    /// over the sum) is at least <paramref name="minShare"/>, largest first, ties by feature index.
    /// </summary>
    public static FeatureContribution[] Top(
        ReadOnlySpan<float> deviations, ReadOnlySpan<bool> stuck, double sumOfSquares, int count, float minShare)
    {
        Span<Contribution> top = count <= 64 ? stackalloc Contribution[count] : new Contribution[count];
        return Contribution.ToFeatureContributions(top[..TopInto(deviations, stuck, sumOfSquares, minShare, top)]);
    }

    /// <summary>As <see cref="Top"/>, written into <paramref name="top"/> (at most its length); returns how many.</summary>
    public static int TopInto(ReadOnlySpan<float> deviations, ReadOnlySpan<bool> stuck, double sumOfSquares, float minShare, Span<Contribution> top)
    {
        if (sumOfSquares <= 0)
        {
            return 0;
        }

        Span<bool> taken = deviations.Length <= 512 ? stackalloc bool[deviations.Length] : new bool[deviations.Length];
        var count = 0;
        while (count < top.Length)
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
            top[count++] = new Contribution(best, deviations[best], share, !stuck.IsEmpty && stuck[best]);
        }

        return count;
    }

    /// <summary>
    /// The explanation of a model score from its per-feature squared errors: each feature's deviation is
    /// the root of its error, its share the error over their sum.
    /// </summary>
    public static FeatureContribution[] FromSquaredErrors(ReadOnlySpan<float> squaredErrors, int count, float minShare = DefaultMinShare)
    {
        Span<Contribution> top = count <= 64 ? stackalloc Contribution[count] : new Contribution[count];
        return Contribution.ToFeatureContributions(top[..FromSquaredErrorsInto(squaredErrors, minShare, top)]);
    }

    /// <summary>As <see cref="FromSquaredErrors"/>, written into <paramref name="top"/>; returns how many.</summary>
    public static int FromSquaredErrorsInto(ReadOnlySpan<float> squaredErrors, float minShare, Span<Contribution> top)
    {
        Span<float> deviations = squaredErrors.Length <= 512 ? stackalloc float[squaredErrors.Length] : new float[squaredErrors.Length];
        double sum = 0;
        for (var i = 0; i < squaredErrors.Length; i++)
        {
            var error = Math.Max(0f, squaredErrors[i]);
            deviations[i] = MathF.Sqrt(error);
            sum += error;
        }

        return TopInto(deviations, [], sum, minShare, top);
    }
}
