using FleetGrains.Inference.Onnx;
using FleetGrains.LocalServers;
using FleetGrains.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.LoadTests;

/// <summary>
/// A FleetGrains silo in this process, configured as the embedded default (every role, state in memory,
/// the committed models) plus the scenario's settings (configuration keys such as <c>Fleet:Devices:WindowSize</c>).
/// </summary>
public sealed class ScenarioSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ScenarioSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The serving settings in force.</summary>
    public InferenceOptions Inference => _host.Services.GetRequiredService<IOptions<InferenceOptions>>().Value;

    public T Service<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<ScenarioSilo> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders(); // the scenarios print their own figures
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fleet:Cluster:ClusterId"] = $"loadtests-{Guid.NewGuid():N}",
            ["Fleet:Cluster:ServiceId"] = "fleetgrains-loadtests",
            ["Fleet:Cluster:SiloPort"] = LocalServer.FreePort().ToString(),
            ["Fleet:Cluster:GatewayPort"] = LocalServer.FreePort().ToString(),
            ["Fleet:Simulator:Enabled"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddFleetGrains();
        var host = builder.Build();
        await host.StartAsync();
        return new ScenarioSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

}
