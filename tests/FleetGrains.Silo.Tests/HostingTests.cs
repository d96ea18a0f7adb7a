using System.Globalization;
using System.Net;
using FleetGrains.Silo.Hosting;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

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
    public async Task ClusterSettings_NameTheSilo_AndSetTheHostsShutdownTimeout()
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Cluster:SiloName"] = "fleet-core-7d9f-abcde",
            ["Fleet:Cluster:ShutdownTimeout"] = "00:00:45",
        });

        Assert.Equal(TimeSpan.FromSeconds(45), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal("fleet-core-7d9f-abcde", host.Services.GetRequiredService<ILocalSiloDetails>().Name);
    }

    [Theory]
    [InlineData("00:00:01")] // Orleans needs twice its statistics' refresh time (1 s)
    [InlineData("02:00:00")]
    public void ARebalanceCyclePeriodOutOfRange_IsRefusedNamingTheKey(string period)
    {
        var options = new FleetClusterOptions { RebalanceCyclePeriod = TimeSpan.Parse(period, CultureInfo.InvariantCulture) };

        var result = new FleetClusterOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Fleet:Cluster:RebalanceCyclePeriod must be between 2 seconds and 1 hour", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDirectoryCache_IsOffOnASingleSilo_AndSizedByConfiguration()
    {
        Assert.Equal(GrainDirectoryOptions.CachingStrategyType.None, fixture.Host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CachingStrategy);
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?> { ["Fleet:Cluster:DirectoryCacheSize"] = "5000" });

        var sized = host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
        Assert.Equal((GrainDirectoryOptions.CachingStrategyType.LRU, 5000), (sized.CachingStrategy, sized.CacheSize));
        Assert.Equal(GrainDirectoryOptions.DEFAULT_CACHE_SIZE, new FleetClusterOptions { Clustering = ClusteringProvider.Redis }.EffectiveDirectoryCacheSize);
        var refused = new FleetClusterOptionsValidator().Validate(null, new FleetClusterOptions { DirectoryCacheSize = -1 });
        Assert.Contains("Fleet:Cluster:DirectoryCacheSize must be 0 (no cache) or more (was -1)", refused.FailureMessage, StringComparison.Ordinal);
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
}
