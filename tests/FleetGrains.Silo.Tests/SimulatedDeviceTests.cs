using FleetGrains.Silo.Simulation;
using FleetGrains.Simulation;

namespace FleetGrains.Silo.Tests;

public class SimulatedDeviceTests
{
    private static readonly TimeSpan Day = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Onset = TimeSpan.FromSeconds(10);

    private static SimulatedDevice Device(FaultKind fault) => new("f", "d", features: 4, fault, Onset, seed: 7);

    private static List<float[]> Run(SimulatedDevice device, double fromSeconds, double toSeconds) =>
        [.. Enumerable.Range(0, (int)((toSeconds - fromSeconds) * 10)).Select(i => device.Next(TimeSpan.FromSeconds(fromSeconds + (i / 10.0)), Day))];

    [Fact]
    public void Sensors_AreCorrelatedThroughTheSharedLoad()
    {
        var samples = Run(Device(FaultKind.None), 0, 300);

        var correlation = Correlation(samples.Select(s => (double)s[0]).ToArray(), samples.Select(s => (double)s[1]).ToArray());
        Assert.True(Math.Abs(correlation) > 0.3, $"correlation {correlation}");
    }

    [Fact]
    public void Drift_MovesOneSensorFurtherAndFurther()
    {
        var device = Device(FaultKind.Drift);
        var before = Run(device, 0, 10).Average(s => s[device.FaultFeature]);
        var after = Run(device, 60, 70).Average(s => s[device.FaultFeature]);

        Assert.True(after - before > 10, $"before {before}, after {after}");
    }

    [Fact]
    public void Stuck_RepeatsOneValue()
    {
        var device = Device(FaultKind.Stuck);
        var stuck = Run(device, 10, 20).Select(s => s[device.FaultFeature]).Distinct().ToList();
        var other = Run(device, 20, 30).Select(s => s[(device.FaultFeature + 1) % 4]).Distinct().Count();

        Assert.Single(stuck);
        Assert.True(other > 50);
    }

    [Fact]
    public void Degradation_EndsInFailure_SilenceAndRepair()
    {
        var device = Device(FaultKind.Degradation);
        var healthyLevel = Run(device, 0, 10).Average(s => s[0]);
        var lateLevel = Run(device, 100, 109).Average(s => s[0]);
        Run(device, 109, 111);

        Assert.True(lateLevel - healthyLevel > 5, $"healthy {healthyLevel}, late {lateLevel}");
        Assert.True(device.IsSilent(TimeSpan.FromSeconds(120)));
        Assert.False(device.IsSilent(TimeSpan.FromSeconds(160)));
        Assert.True(Math.Abs(Run(device, 160, 165).Average(s => s[0]) - healthyLevel) < 5);
    }

    [Fact]
    public void Outages_SilenceTheDeviceForAWhile()
    {
        var device = Device(FaultKind.Outages);

        Assert.False(device.IsSilent(TimeSpan.FromSeconds(9)));
        Assert.True(device.IsSilent(TimeSpan.FromSeconds(20)));
        Assert.False(device.IsSilent(TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void CreateDevices_SpreadsDevicesOverFleets_AndIsRepeatable()
    {
        var options = new SimulatorOptions { Devices = 300, FaultyFraction = 0.2 };

        var first = FleetSimulator.CreateDevices(options);
        var second = FleetSimulator.CreateDevices(options);

        Assert.Equal(["compressors", "pumps", "turbines"], first.Select(d => d.FleetId).Distinct().Order());
        Assert.Equal(first.Select(d => (d.DeviceId, d.Fault)), second.Select(d => (d.DeviceId, d.Fault)));
        Assert.InRange(first.Count(d => d.Fault != FaultKind.None), 30, 90);
        Assert.Equal(300, first.Select(d => d.DeviceId).Distinct().Count());
    }

    private static double Correlation(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }
}
