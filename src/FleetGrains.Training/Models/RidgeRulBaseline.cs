using FleetGrains.Training.Data;

namespace FleetGrains.Training.Models;

/// <summary>
/// The RUL baseline: ridge regression on simple window features — per sensor the last value, the
/// mean and the least-squares slope over the window — computed from the same normalised windows as
/// <see cref="RulModel"/>, with the same capped target.
/// </summary>
public sealed class RidgeRulBaseline
{
    private readonly RulModel _windows;
    private readonly double[] _coefficients;

    private RidgeRulBaseline(RulModel windows, double[] coefficients)
    {
        _windows = windows;
        _coefficients = coefficients;
    }

    /// <summary>Fits on every training window; <paramref name="windows"/> provides the window shape and normalisation.</summary>
    public static RidgeRulBaseline Fit(IReadOnlyList<EngineRun> engines, RulModel windows, double lambda = 1.0)
    {
        var rows = new List<double[]>();
        var targets = new List<double>();
        foreach (var engine in engines)
        {
            for (var end = windows.Window - 1; end < engine.Cycles.Count; end++)
            {
                rows.Add(Features(windows, engine, end));
                targets.Add(Math.Min(windows.Cap, engine.Cycles.Count - 1 - end));
            }
        }

        var n = rows[0].Length;
        var gram = new double[n, n];
        var rhs = new double[n];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var i = 0; i < n; i++)
            {
                rhs[i] += rows[r][i] * targets[r];
                for (var j = 0; j < n; j++)
                {
                    gram[i, j] += rows[r][i] * rows[r][j];
                }
            }
        }

        for (var i = 0; i < n - 1; i++)
        {
            gram[i, i] += lambda; // the intercept (last column) is not penalised
        }

        return new RidgeRulBaseline(windows, Solve(gram, rhs));
    }

    public float[] PredictAtLastCycle(IReadOnlyList<EngineRun> engines) =>
        [.. engines.Select(e => (float)Math.Max(0, Features(_windows, e, e.Cycles.Count - 1).Zip(_coefficients).Sum(p => p.First * p.Second)))];

    private static double[] Features(RulModel windows, EngineRun engine, int end)
    {
        var w = windows.Window;
        var window = windows.ChannelMajorWindow(engine, end);
        var sensors = windows.Sensors.Length;
        var features = new double[(3 * sensors) + 1];
        var meanT = (w - 1) / 2.0;
        var varT = Enumerable.Range(0, w).Sum(t => (t - meanT) * (t - meanT));
        for (var s = 0; s < sensors; s++)
        {
            var series = window.AsSpan(s * w, w);
            double mean = 0;
            foreach (var v in series)
            {
                mean += v;
            }

            mean /= w;
            double covariance = 0;
            for (var t = 0; t < w; t++)
            {
                covariance += (t - meanT) * (series[t] - mean);
            }

            features[3 * s] = series[^1];
            features[(3 * s) + 1] = mean;
            features[(3 * s) + 2] = covariance / varT;
        }

        features[^1] = 1;
        return features;
    }

    // Gaussian elimination with partial pivoting; the system is small (3 × sensors + 1).
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(m[r, col]));
            if (Math.Abs(m[pivot, col]) < 1e-12)
            {
                throw new InvalidOperationException("The ridge system is singular.");
            }

            for (var k = 0; k < n; k++)
            {
                (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
            }

            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (var r = col + 1; r < n; r++)
            {
                var factor = m[r, col] / m[col, col];
                for (var k = col; k < n; k++)
                {
                    m[r, k] -= factor * m[col, k];
                }

                x[r] -= factor * x[col];
            }
        }

        for (var r = n - 1; r >= 0; r--)
        {
            for (var k = r + 1; k < n; k++)
            {
                x[r] -= m[r, k] * x[k];
            }

            x[r] /= m[r, r];
        }

        return x;
    }
}
