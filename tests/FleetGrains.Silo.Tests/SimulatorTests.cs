using FleetGrains.Abstractions;

namespace FleetGrains.Silo.Tests;

public class SimulatorTests
{
    [Fact]
    public async Task SimulatedFleet_ShowsDevicesInMoreThanOneHealthState()
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Simulator:Enabled"] = "true",
            ["Fleet:Simulator:Devices"] = "60",
            ["Fleet:Simulator:Fleets"] = "sim-a:4,sim-b:6",
            ["Fleet:Simulator:TickInterval"] = "00:00:00.200",
            ["Fleet:Simulator:FaultyFraction"] = "0.5",
            ["Fleet:Simulator:FaultOnsetMin"] = "00:00:01",
            ["Fleet:Simulator:FaultOnsetMax"] = "00:00:03",
            ["Fleet:Devices:WarmupSamples"] = "10",
            ["Fleet:Devices:CalibrationScores"] = "30",
            ["Fleet:Devices:MinOfflineTimeout"] = "00:00:01",
            ["Fleet:Devices:ReportInterval"] = "00:00:00.100",
            ["Fleet:Rollup:SummaryInterval"] = "00:00:00.200",
        });

        var fleets = await host.EventuallyAsync<FleetSummary[]>(
            "/api/fleets",
            all => all.Length == 2
                && all.Sum(f => f.DeviceCount) == 60
                && StatesShown(all).Count(s => s != HealthState.Unknown) >= 2,
            TimeSpan.FromSeconds(45));

        Assert.Equal(["sim-a", "sim-b"], fleets.Select(f => f.FleetId).Order());
    }

    private static IEnumerable<HealthState> StatesShown(FleetSummary[] fleets) =>
        fleets.SelectMany(f => f.Counts).Where(c => c.Value > 0).Select(c => c.Key).Distinct();
}
