using System.Net;
using System.Net.Sockets;
using FleetGrains.Inference.Hosting;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetGrains.LoadTests;

/// <summary>A single silo in this process with every role (as the embedded default), serving the committed models.</summary>
public sealed class ScenarioSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ScenarioSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The serving settings in force (defaults unless the scenario changed them).</summary>
    public InferenceOptions Inference => _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<InferenceOptions>>().Value;

    public T Service<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<ScenarioSilo> StartAsync(Action<InferenceOptions>? inference = null, ExecutionProvider provider = ExecutionProvider.Cpu)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders(); // the scenarios print their own figures
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(), serviceId: "fleetgrains-loadtests", clusterId: $"loadtests-{Guid.NewGuid():N}");
            silo.UseFleetInference(hostsModels: true, provider);
            silo.Services.PostConfigure<InferenceOptions>(o =>
            {
                o.ExecutionProvider = provider;
                inference?.Invoke(o);
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ScenarioSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
