using System.Text;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>The embedded default (one silo, localhost clustering, state in memory) as its own process.</summary>
public sealed class EmbeddedSiloTests : IAsyncLifetime
{
    private SiloProcess? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task StoppingTheEmbeddedSilo_WhileDevicesHoldUnsavedState_ExitsCleanly_WithoutErrorsOrWarnings()
    {
        _silo = await SiloProcess.StartAsync("embedded", new Dictionary<string, string>
        {
            ["Fleet:Simulator:Enabled"] = "true",
            ["Fleet:Simulator:Devices"] = "300",
            ["Fleet:Simulator:TickInterval"] = "00:00:00.200",
        });
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        var body = string.Join('\n', Enumerable.Range(0, 200).Select(d => ClusterHarness.Event("embedded", ClusterHarness.Device(d), 0, ts)));
        var response = await _silo.Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await ClusterHarness.WaitUntilAsync(async () => (await _silo.Http.GetStringAsync("/api/fleets")).Contains("\"Healthy\":", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        await _silo.StopAsync();

        Assert.Equal(0, _silo.ExitCode);
        // The watchdog's warning says only that this shared machine was slow to schedule a thread.
        var lines = _silo.Output.Split('\n');
        var problems = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].StartsWith("fail:", StringComparison.Ordinal) || (lines[i].StartsWith("warn:", StringComparison.Ordinal) && !lines[i].StartsWith("warn: Orleans.Runtime.Watchdog", StringComparison.Ordinal)))
            .ToList();
        var examples = problems.Take(5).Select(i => string.Join('\n', lines.Skip(i).Take(3)));
        Assert.True(problems.Count == 0, $"{problems.Count} errors and warnings, e.g.:\n{string.Join('\n', examples)}\n{_silo.Output[^Math.Min(4000, _silo.Output.Length)..]}");
    }
}
