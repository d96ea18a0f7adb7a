namespace FleetGrains.Training.Models;

/// <summary>
/// The baseline detector: principal components of the normalised training rows that keep a share of
/// the variance; a row's score is the mean squared error of its projection onto them.
/// </summary>
public sealed class PcaModel
{
    private readonly double[][] _components; // each of length F, orthonormal

    private PcaModel(Normaliser normaliser, double[][] components)
    {
        Normaliser = normaliser;
        _components = components;
    }

    public Normaliser Normaliser { get; }

    public int Components => _components.Length;

    public static PcaModel Fit(IReadOnlyList<float[]> rows, double varianceKept = 0.95)
    {
        var normaliser = Normaliser.Fit(rows);
        var f = normaliser.Features;
        var covariance = new double[f, f];
        var z = new float[f];
        foreach (var row in rows)
        {
            normaliser.Apply(row, z);
            for (var i = 0; i < f; i++)
            {
                for (var j = i; j < f; j++)
                {
                    covariance[i, j] += z[i] * z[j];
                }
            }
        }

        for (var i = 0; i < f; i++)
        {
            for (var j = i; j < f; j++)
            {
                covariance[i, j] /= Math.Max(1, rows.Count - 1);
                covariance[j, i] = covariance[i, j];
            }
        }

        var (values, vectors) = SymmetricEigen.Decompose(covariance);
        var order = Enumerable.Range(0, f).OrderByDescending(i => values[i]).ToArray();
        var total = values.Where(v => v > 0).Sum();
        var kept = new List<double[]>();
        double explained = 0;
        foreach (var i in order)
        {
            if (total <= 0 || explained / total >= varianceKept)
            {
                break;
            }

            kept.Add(Enumerable.Range(0, f).Select(r => vectors[r, i]).ToArray());
            explained += Math.Max(0, values[i]);
        }

        return new PcaModel(normaliser, [.. kept]);
    }

    public float[] Score(IReadOnlyList<float[]> rows)
    {
        var f = Normaliser.Features;
        var z = new float[f];
        var scores = new float[rows.Count];
        for (var t = 0; t < rows.Count; t++)
        {
            Normaliser.Apply(rows[t], z);
            var residual = z.Select(v => (double)v).ToArray();
            foreach (var component in _components)
            {
                double projection = 0;
                for (var i = 0; i < f; i++)
                {
                    projection += component[i] * z[i];
                }

                for (var i = 0; i < f; i++)
                {
                    residual[i] -= projection * component[i];
                }
            }

            scores[t] = (float)(residual.Sum(r => r * r) / f);
        }

        return scores;
    }
}
