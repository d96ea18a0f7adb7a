using System.Net;
using FleetGrains.Abstractions;
using FleetGrains.Simulation;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// The embedded default's maintenance promise, end to end with the committed model: a simulated turbine
/// that degrades towards failure appears in its fleet's maintenance plan well before its last reading.
/// Its history is sent as fast as the silo takes it (device grains go by the samples, not the clock).
/// </summary>
public sealed class SimulatedDegradationTests : IAsyncLifetime
{
    private const string Fleet = "turbines";
    private SiloHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Maintenance:ReportInterval"] = "00:00:00.001",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task DegradingTurbines_AppearInThePlan_AtLeast20SecondsBeforeTheyFail()
    {
        var runs = SimulatedHistories.RunsToFailure(Fleet, features: 8, runs: 3, seed: 4242);
        foreach (var (history, run) in runs.Select((h, i) => (h, i)))
        {
            var device = $"degrading-{run}";
            int? plannedWithSamplesLeft = null;
            for (var sent = 0; sent < history.Count && plannedWithSamplesLeft is null; sent += SimulatedHistories.SamplesPerSecond)
            {
                var chunk = history.Skip(sent).Take(SimulatedHistories.SamplesPerSecond)
                    .Select((values, i) => Telemetry.Event(Fleet, device, sent + i, values));
                Assert.Equal(HttpStatusCode.Accepted, (await _host.Http.PostAsync("/api/telemetry", Telemetry.Array(chunk))).StatusCode);
                var plan = await _host.EventuallyAsync<MaintenancePlan>($"/api/fleets/{Fleet}/maintenance", _ => true);
                if (plan.Open.Any(o => o.DeviceId == device))
                {
                    plannedWithSamplesLeft = history.Count - sent - SimulatedHistories.SamplesPerSecond;
                }
            }

            Assert.True(
                plannedWithSamplesLeft >= 20 * SimulatedHistories.SamplesPerSecond,
                $"{device}: planned with {plannedWithSamplesLeft?.ToString() ?? "no"} samples ({SimulatedHistories.SamplesPerSecond}/s) before its failure");
        }
    }
}
