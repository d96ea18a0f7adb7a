using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http.Features;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using FleetGrains.Silo.Api;
using FleetGrains.Silo.Hosting;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// The real silo host (Orleans silo + Kestrel) on loopback, with random ports, built exactly as
/// Program.cs builds it plus the given configuration.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Settings that make devices calibrate after 15 samples and rollups follow within a fraction of a second.</summary>
    public static readonly IReadOnlyDictionary<string, string?> FastRollup = new Dictionary<string, string?>
    {
        ["Fleet:Devices:WarmupSamples"] = "5",
        ["Fleet:Devices:CalibrationScores"] = "10",
        ["Fleet:Devices:ReportInterval"] = "00:00:00.100",
        ["Fleet:Rollup:SummaryInterval"] = "00:00:00.100",
    };

    /// <summary>The admin key every test host is configured with; <see cref="Http"/> sends it.</summary>
    public const string AdminKey = "silo-tests-admin-key-0123456789-abcdefghij";

    private readonly WebApplication _app;

    private SiloHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, AdminKey);
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="environment">The host environment (Development is what <c>dotnet run</c> starts, through launchSettings).</param>
    /// <param name="mapMore">Endpoints a test adds beside the API.</param>
    public static async Task<SiloHost> StartAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null, string environment = "Testing", Action<WebApplication>? mapMore = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Fleet:Cluster:SiloPort"] = FreePort().ToString(),
            ["Fleet:Cluster:GatewayPort"] = "0",
            ["Fleet:Cluster:ClusterId"] = $"test-{Guid.NewGuid():N}",
            ["Fleet:Simulator:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Fleet:Security:AdminKey"] = AdminKey,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddFleetGrains();
        var app = builder.Build();
        app.UseFleetPipeline();
        app.MapFleetApi();
        mapMore?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new SiloHost(app, new Uri(address));
    }

    public async Task<T> GetJsonAsync<T>(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds, failing after a deadline. A 404 counts as "not yet":
    /// fleets become known through their rollup, a moment after their first device accepted events.
    /// </summary>
    public async Task<T> EventuallyAsync<T>(string path, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var response = await Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
                if (JsonSerializer.Deserialize<T>(body, Json) is { } value && condition(value))
                {
                    return value;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting on GET {path}; last answer: {(int)response.StatusCode} {body}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
