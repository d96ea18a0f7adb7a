namespace FleetGrains.Training.Models;

/// <summary>
/// Per-feature z-score normalisation learned from training rows: (x − mean) / std. A feature that
/// never varied gets std 1, so it passes through centred instead of dividing by zero. It is part of
/// the model: training, evaluation and the exported ONNX graph apply the same numbers.
/// </summary>
public sealed record Normaliser(float[] Mean, float[] Std)
{
    public int Features => Mean.Length;

    public static Normaliser Fit(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("Cannot learn a normalisation from no rows.", nameof(rows));
        }

        var features = rows[0].Length;
        var mean = new double[features];
        var m2 = new double[features];
        for (var n = 0; n < rows.Count; n++)
        {
            for (var f = 0; f < features; f++)
            {
                var delta = rows[n][f] - mean[f];
                mean[f] += delta / (n + 1);
                m2[f] += delta * (rows[n][f] - mean[f]);
            }
        }

        var std = m2.Select(v => rows.Count > 1 ? Math.Sqrt(v / (rows.Count - 1)) : 0).Select(s => s > 1e-6 ? (float)s : 1f).ToArray();
        return new Normaliser([.. mean.Select(m => (float)m)], std);
    }

    /// <summary>Every row normalised, one after the other in one array (rows × features); a row of another width is refused.</summary>
    public float[] ApplyToRows(IReadOnlyList<float[]> rows)
    {
        var normalised = new float[rows.Count * Features];
        for (var t = 0; t < rows.Count; t++)
        {
            if (rows[t].Length != Features)
            {
                throw new ArgumentException($"Row {t} has {rows[t].Length} values; the model expects {Features}.", nameof(rows));
            }

            Apply(rows[t], normalised.AsSpan(t * Features, Features));
        }

        return normalised;
    }

    public void Apply(ReadOnlySpan<float> row, Span<float> normalised)
    {
        for (var f = 0; f < Mean.Length; f++)
        {
            normalised[f] = (row[f] - Mean[f]) / Std[f];
        }
    }
}
