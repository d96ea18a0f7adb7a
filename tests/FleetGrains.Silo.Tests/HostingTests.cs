using System.Net;
using System.Text.Json;

namespace FleetGrains.Silo.Tests;

[Collection(SiloHostCollection.Name)]
public class HostingTests(SiloHostFixture fixture)
{
    [Fact]
    public async Task Health_LiveAndReady_Return200WhenTheSiloIsUp()
    {
        var live = await fixture.Host.Http.GetAsync("/health/live");
        var ready = await fixture.Host.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Contains("is active", report.GetProperty("checks").GetProperty("silo").GetProperty("description").GetString());
        Assert.Contains("Serving models on Cpu", report.GetProperty("checks").GetProperty("models").GetProperty("description").GetString());
    }

    [Fact]
    public async Task HealthReady_WithCudaConfiguredOnAMachineWithoutIt_StaysReadyAndReportsTheCpuFallback()
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?> { ["Fleet:Inference:ExecutionProvider"] = "Cuda" });

        var ready = await host.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        var models = report.GetProperty("checks").GetProperty("models");
        Assert.Equal("Degraded", models.GetProperty("status").GetString());
        Assert.Contains("on Cpu instead of Cuda", models.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthReady_WhenNoSiloHostsModels_SaysScoringIsUnavailable()
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?> { ["Fleet:Cluster:HostsModels"] = "false" });

        var report = JsonDocument.Parse(await host.Http.GetStringAsync("/health/ready")).RootElement;

        var models = report.GetProperty("checks").GetProperty("models");
        Assert.Equal("Degraded", models.GetProperty("status").GetString());
        Assert.Contains("No active silo hosts models", models.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpoint()
    {
        var document = JsonDocument.Parse(await fixture.Host.Http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/telemetry", paths);
        Assert.Contains("/api/fleets", paths);
        Assert.Contains("/api/fleets/{fleetId}", paths);
        Assert.Contains("/api/fleets/{fleetId}/devices", paths);
        Assert.Contains("/api/devices/{fleetId}/{deviceId}", paths);
        Assert.Contains("/api/devices/{fleetId}/{deviceId}/telemetry", paths);
        Assert.Contains("/api/devices/{fleetId}/{deviceId}/threshold", paths);
    }

    [Fact]
    public async Task Metrics_AfterIngestion_ExposeTheIngestCountersInPrometheusTextFormat()
    {
        var before = await fixture.Host.Http.GetStringAsync("/metrics");

        await fixture.Host.Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise("metrics-a", "m1", 0, 7, 2, seed: 3)));
        await fixture.Host.Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise("metrics-a", "m1", 6, 1, 2, seed: 3)));
        var response = await fixture.Host.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var after = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE fleet_ingest_events_total counter", after, StringComparison.Ordinal);
        // At least: other hosts in this test process publish to the same meter name.
        Assert.True(HttpEvents(after, "accepted") - HttpEvents(before, "accepted") >= 7, after);
        Assert.True(HttpEvents(after, "duplicate") - HttpEvents(before, "duplicate") >= 1, after);
        Assert.Contains("orleans_", after, StringComparison.Ordinal);
    }

    // The fleet_ingest_events_total sample of HTTP events with this outcome; 0 before the first such event.
    private static double HttpEvents(string scrape, string outcome)
    {
        var line = scrape.Split('\n').FirstOrDefault(l => l.StartsWith("fleet_ingest_events_total{", StringComparison.Ordinal)
            && l.Contains("source=\"http\"", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
