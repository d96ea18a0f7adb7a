using FleetGrains.Detection;

namespace FleetGrains.Detection.Tests;

public class ThresholdCalibratorTests
{
    private static readonly ThresholdPolicy Policy = new(CalibrationScores: 100, Quantile: 0.99, Margin: 1.5, MinThreshold: 0.1f);

    [Fact]
    public void Observe_LearnsTheQuantileTimesTheMargin_AfterTheCalibrationPeriod()
    {
        var calibrator = new ThresholdCalibrator();
        for (var i = 1; i <= 99; i++)
        {
            Assert.False(calibrator.Observe(i / 100f, Policy));
            Assert.Null(calibrator.Effective);
        }

        Assert.True(calibrator.Observe(1.00f, Policy));

        // 99th percentile (nearest rank) of 0.01..1.00 is 0.99.
        Assert.Equal(0.99f * 1.5f, calibrator.Learned!.Value, 4);
        Assert.Equal(calibrator.Learned, calibrator.Effective);
    }

    [Fact]
    public void Learn_NeverGoesBelowTheFloor()
    {
        Assert.Equal(0.1f, ThresholdCalibrator.Learn(new float[100], Policy));
    }

    [Fact]
    public void Pin_OverridesTheLearnedThreshold_UntilUnpinned()
    {
        var calibrator = new ThresholdCalibrator();
        foreach (var score in Enumerable.Repeat(1f, 100))
        {
            calibrator.Observe(score, Policy);
        }

        calibrator.Pin(7f);
        Assert.Equal(7f, calibrator.Effective);

        calibrator.Pin(null);
        Assert.Equal(1.5f, calibrator.Effective);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Pin_NonPositiveOrNonFinite_Throws(float value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdCalibrator().Pin(value));
    }

    private static readonly FeedbackPolicy Feedback = new(Raise: 1.2, MaxRaise: 2.0);

    [Fact]
    public void FalsePositive_BeforeCalibration_ChangesNothing()
    {
        var calibrator = new ThresholdCalibrator();
        calibrator.Observe(1f, Policy);

        Assert.Null(calibrator.RaiseAfterFalsePositive(5f, Feedback));
        Assert.Equal(0, calibrator.FalsePositives);
    }

    [Fact]
    public void FalsePositive_RaisesAboveTheAlarmingScore_UpToTheBound()
    {
        var calibrator = Calibrated(); // learned 1.5

        Assert.Equal((1.5f, 1.2f * 2f), calibrator.RaiseAfterFalsePositive(2f, Feedback)!.Value);
        Assert.Equal((2.4f, 3f), calibrator.RaiseAfterFalsePositive(2.5f, Feedback)!.Value); // 1.2 × 2.5 = 3 = the bound
        Assert.Equal((3f, 3f), calibrator.RaiseAfterFalsePositive(10f, Feedback)!.Value);
        Assert.Equal(3, calibrator.FalsePositives);
        Assert.Equal(3f, calibrator.Effective);
    }

    [Fact]
    public void FalsePositive_WithoutAScore_RaisesByTheStep_AndAPinWinsOverIt()
    {
        var calibrator = Calibrated();
        calibrator.Pin(10f);

        Assert.Equal((1.5f, 1.8f), calibrator.RaiseAfterFalsePositive(null, Feedback)!.Value);
        Assert.Equal(10f, calibrator.Effective);
        Assert.Equal(1.8f, calibrator.Learned!.Value, 5);
    }

    [Fact]
    public void Restart_ForgetsTheLearnedAndPinnedThresholds()
    {
        var calibrator = Calibrated();
        calibrator.Pin(10f);
        calibrator.RaiseAfterFalsePositive(2f, Feedback);

        calibrator.Restart();

        Assert.Equal((null, null, null, 0, 0), (calibrator.Learned, calibrator.Pinned, calibrator.Effective, calibrator.Collected, calibrator.FalsePositives));
        Assert.False(calibrator.Observe(1f, Policy));
    }

    private static ThresholdCalibrator Calibrated()
    {
        var calibrator = new ThresholdCalibrator();
        foreach (var score in Enumerable.Repeat(1f, 100))
        {
            calibrator.Observe(score, Policy);
        }

        Assert.Equal(1.5f, calibrator.Learned);
        return calibrator;
    }
}
