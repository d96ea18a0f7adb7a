using FleetGrains.Training.Evaluation;

namespace FleetGrains.Training.Tests;

public class MetricsTests
{
    private static bool[] B(string bits) => [.. bits.Select(c => c == '1')];

    [Fact]
    public void Confusion_CountsAndDerivesPrecisionRecallF1()
    {
        var c = DetectionMetrics.Confusion(B("1100110"), B("1010100"));

        Assert.Equal(new Confusion(TruePositives: 2, FalsePositives: 2, FalseNegatives: 1, TrueNegatives: 2), c);
        Assert.Equal(0.5, c.Precision);
        Assert.Equal(2.0 / 3, c.Recall, 12);
        Assert.Equal(2 * 0.5 * (2.0 / 3) / (0.5 + (2.0 / 3)), c.F1, 12);
    }

    [Fact]
    public void Confusion_NothingFlagged_HasZeroPrecisionAndF1()
    {
        var c = DetectionMetrics.Confusion(B("000"), B("010"));

        Assert.Equal((0.0, 0.0, 0.0), (c.Precision, c.Recall, c.F1));
    }

    [Fact]
    public void PointAdjust_FillsEverySegmentWithAHit_AndOnlyThose()
    {
        //                                      segments:  [1..3]     [6..7]  [9]
        var adjusted = DetectionMetrics.PointAdjust(B("1010000100"), B("0111001101"));

        Assert.Equal(B("1111001100"), adjusted);
    }

    [Fact]
    public void BestF1_PointWise_TriesEveryThreshold()
    {
        float[] scores = [0.1f, 0.9f, 0.8f, 0.3f, 0.7f];
        var labels = B("01101");

        var (f1, threshold) = DetectionMetrics.BestF1(scores, labels, pointAdjusted: false);

        Assert.Equal(1.0, f1);
        Assert.Equal(0.7f, threshold);
    }

    [Fact]
    public void BestF1_PointAdjusted_CreditsAWholeSegmentForOneHit()
    {
        float[] scores = [0.1f, 0.9f, 0.2f, 0.2f, 0.1f, 0.1f];
        var labels = B("011100");

        var (f1, _) = DetectionMetrics.BestF1(scores, labels, pointAdjusted: true, candidates: 6);

        Assert.Equal(1.0, f1);
    }

    [Fact]
    public void Rmse_AndPhmScore_MatchHandComputedValues()
    {
        float[] predicted = [110, 90, 50];
        float[] actual = [100, 100, 50];

        Assert.Equal(Math.Sqrt(200.0 / 3), RegressionMetrics.Rmse(predicted, actual), 9);
        // late by 10: e^(10/10) − 1; early by 10: e^(10/13) − 1; exact: 0
        Assert.Equal(Math.Exp(1) - 1 + Math.Exp(10.0 / 13) - 1, RegressionMetrics.PhmScore(predicted, actual), 9);
    }

    [Fact]
    public void Metrics_RejectMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => DetectionMetrics.Confusion(B("10"), B("1")));
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Rmse([1f], []));
    }
}
