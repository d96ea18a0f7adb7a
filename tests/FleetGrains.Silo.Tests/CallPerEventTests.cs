using System.Net.Http.Json;
using FleetGrains.Abstractions;
using FleetGrains.Ingestion;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// The naive baseline of the ingest load test (<c>Fleet:Ingestion:CallPerEvent</c>) must differ from the normal
/// pipeline only in how many grain calls it makes: same report, same device state.
/// </summary>
public class CallPerEventTests
{
    [Fact]
    public async Task OneCallPerEvent_ReportsAndStoresExactlyWhatOneCallPerDeviceDoes()
    {
        var normal = await IngestAsync(callPerEvent: false);
        var naive = await IngestAsync(callPerEvent: true);

        Assert.Equal((27, 2, 2), (normal.Report.Accepted, normal.Report.Duplicates, normal.Report.Rejected));
        Assert.Equal(
            normal.Report.Errors.Select(e => (e.Index, e.Reason)),
            naive.Report.Errors.Select(e => (e.Index, e.Reason)));
        Assert.Equal((normal.Report.Accepted, normal.Report.Duplicates, normal.Report.Rejected), (naive.Report.Accepted, naive.Report.Duplicates, naive.Report.Rejected));
        Assert.Equal(normal.Devices, naive.Devices);
    }

    private static async Task<(IngestReport Report, List<(long LastSeq, long Accepted, long Duplicates, long Rejected, float? Score)> Devices)> IngestAsync(bool callPerEvent)
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Ingestion:CallPerEvent"] = callPerEvent.ToString(),
            ["Fleet:Devices:WarmupSamples"] = "5",
        });
        var events = Telemetry.Noise("naive", "a", 0, 15, 3, seed: 1)
            .Concat(Telemetry.Noise("naive", "b", 0, 12, 3, seed: 2))
            .Concat(Telemetry.Noise("naive", "a", 3, 2, 3, seed: 3)) // already applied: duplicates
            .Append(Telemetry.Event("naive", "b", 40, 1f, 2f)) // wrong feature count: rejected by the device
            .Append(Telemetry.Event("naive", "a", 41, 1f, 2f, 3f, 4f)); // wrong feature count as well
        var response = await host.Http.PostAsync("/api/telemetry", Telemetry.Ndjson(events));
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        var devices = new List<(long, long, long, long, float?)>();
        foreach (var id in new[] { "a", "b" })
        {
            var d = await host.GetJsonAsync<DeviceSnapshot>($"/api/devices/naive/{id}");
            devices.Add((d.LastSeq, d.Counters.Accepted, d.Counters.Duplicates, d.Counters.Rejected, d.Score));
        }

        return (report, devices);
    }
}
