using FleetGrains.Grains.Devices;

namespace FleetGrains.Grains.Tests;

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
}
