using FleetGrains.Training.Models;

namespace FleetGrains.Training.Tests;

public class PcaTests
{
    [Fact]
    public void SymmetricEigen_SatisfiesAvEqualsLambdaV()
    {
        var random = new Random(1);
        var n = 6;
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                m[i, j] = m[j, i] = random.NextDouble() - 0.5;
            }
        }

        var (values, vectors) = SymmetricEigen.Decompose(m);

        for (var e = 0; e < n; e++)
        {
            for (var i = 0; i < n; i++)
            {
                var av = Enumerable.Range(0, n).Sum(k => m[i, k] * vectors[k, e]);
                Assert.Equal(values[e] * vectors[i, e], av, 9);
            }

            Assert.Equal(1, Enumerable.Range(0, n).Sum(k => vectors[k, e] * vectors[k, e]), 9);
        }
    }

    [Fact]
    public void Pca_DataOnALine_KeepsOneComponent_AndFlagsPointsOffIt()
    {
        var random = new Random(2);
        var rows = Enumerable.Range(0, 500).Select(_ =>
        {
            var t = (float)random.NextDouble();
            return new[] { t, 2 * t, -t + (float)(0.001 * random.NextDouble()) };
        }).ToList();

        var pca = PcaModel.Fit(rows, varianceKept: 0.95);
        var scores = pca.Score([[0.5f, 1f, -0.5f], [0.5f, -1f, 0.5f]]);

        Assert.Equal(1, pca.Components);
        Assert.True(scores[0] < 0.01, $"on the line: {scores[0]}");
        Assert.True(scores[1] > 1, $"off the line: {scores[1]}");
    }
}
