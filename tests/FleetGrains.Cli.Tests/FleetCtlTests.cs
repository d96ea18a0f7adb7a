using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Cli;
using FleetGrains.Ingestion.DeadLetters;
using Microsoft.Extensions.DependencyInjection;
using FleetGrains.Silo.Tests;

namespace FleetGrains.Cli.Tests;

/// <summary>A silo host with one calibrated, healthy device: cli-fleet/pump-7.</summary>
public sealed class CliHostFixture : IAsyncLifetime
{
    public SiloHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SiloHost.StartAsync(SiloHost.FastRollup);
        var random = new Random(1);
        var events = Enumerable.Range(0, 30).Select(seq => new
        {
            fleetId = "cli-fleet",
            deviceId = "pump-7",
            ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            seq,
            values = new[] { (float)random.NextDouble(), 5 + (float)random.NextDouble() },
        });
        var response = await Host.Http.PostAsJsonAsync("/api/telemetry", events);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Host.EventuallyAsync<FleetSummary[]>("/api/fleets", f => f.Length == 1 && f[0].Counts[HealthState.Healthy] == 1);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>fleetctl against a real silo host on loopback.</summary>
public sealed class FleetCtlTests(CliHostFixture fixture) : IClassFixture<CliHostFixture>
{
    private SiloHost Host => fixture.Host;

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var http = new HttpClient();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FleetCtl.RunAsync(["--url", Host.BaseAddress.ToString(), "--key", SiloHost.AdminKey, .. args], http, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task DeadLetters_ListsTheNewestOfTheSilosStore_FilteredBySource()
    {
        var store = Host.Services.GetRequiredService<IDeadLetterStore>();
        var at = DateTimeOffset.UtcNow;
        await store.AddAsync([
            new DeadLetter("", "mqtt", "fleets/f/devices/d/telemetry", "Malformed JSON at byte 3", "{{{", at),
            new DeadLetter("", "redis-streams", "fleet:telemetry:2/1-0#1", "seq must be an integer", "{\"seq\":\"x\"}", at),
        ]);

        var (exit, output, _) = await RunAsync("deadletters", "--source", "redis-streams");
        var (allExit, all, _) = await RunAsync("deadletters", "--count", "5");

        Assert.Equal((0, 0), (exit, allExit));
        Assert.Contains("fleet:telemetry:2/1-0#1", output);
        Assert.Contains("seq must be an integer", output);
        Assert.DoesNotContain("Malformed JSON", output);
        Assert.Contains("Malformed JSON", all);
    }

    [Fact]
    public async Task DeadLetters_WithACountOutOfRange_IsRefusedByTheServer()
    {
        var (exit, _, error) = await RunAsync("deadletters", "--count", "0");

        Assert.Equal(1, exit);
        Assert.Contains("count must be between 1 and", error);
    }

    [Fact]
    public async Task Sources_NamesTheAnsweringSilo_AndPrintsTheCounters()
    {
        var (exit, output, _) = await RunAsync("sources");

        Assert.Equal(0, exit);
        Assert.Contains("Answered by silo", output);
        Assert.Contains("DEAD-LETTERED", output);
    }

    [Fact]
    public async Task Fleets_PrintsATableWithCountsPerState()
    {
        var (exit, output, _) = await RunAsync("fleets");

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("FLEET", lines[0]);
        Assert.Contains("HEALTHY", lines[0]);
        Assert.Matches(@"^cli-fleet\s+1\s+0\s+1\s+0\s+0\s+0\s", lines[2]);
    }

    [Fact]
    public async Task Fleet_PrintsTheRollup()
    {
        var (exit, output, _) = await RunAsync("fleet", "cli-fleet");

        Assert.Equal(0, exit);
        Assert.Contains("Fleet cli-fleet: 1 devices", output);
        Assert.Contains("Healthy: 1", output);
        Assert.Contains("pump-7", output);
        Assert.Contains("Offline devices: 0", output);
    }

    [Fact]
    public async Task Device_PrintsHealthThresholdAndCounters()
    {
        var (exit, output, _) = await RunAsync("device", "cli-fleet/pump-7");

        Assert.Equal(0, exit);
        Assert.Matches(@"health\s+Healthy", output);
        Assert.Matches(@"threshold\s+[0-9.]+ \(learned\)", output);
        Assert.Contains("30 accepted, 0 duplicates, 0 rejected", output);
        Assert.Contains("64 samples x 2 features", output);
    }

    [Fact]
    public async Task Devices_PassesFiltersToTheApi()
    {
        var (exit, output, _) = await RunAsync("devices", "cli-fleet", "--state", "critical");

        Assert.Equal(0, exit);
        Assert.Contains("0 of 0 devices", output);
    }

    [Fact]
    public async Task Json_PrintsTheApiAnswer()
    {
        var (exit, output, _) = await RunAsync("--json", "device", "cli-fleet/pump-7");

        Assert.Equal(0, exit);
        var device = JsonSerializer.Deserialize<DeviceSnapshot>(output, FleetApiClient.Json)!;
        Assert.Equal("pump-7", device.DeviceId);
        Assert.Equal(29, device.LastSeq);
    }

    [Fact]
    public async Task UnknownDevice_ExitsWith1AndTheProblemDetail()
    {
        var (exit, _, error) = await RunAsync("device", "cli-fleet/ghost");

        Assert.Equal(1, exit);
        Assert.Contains("404 Unknown device: Device 'ghost' of fleet 'cli-fleet' has never sent accepted telemetry.", error);
    }

    [Theory]
    [InlineData(new[] { "device", "no-slash" }, "'no-slash' is not <fleetId>/<deviceId>")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "fleet" }, "usage: fleetctl fleet <fleetId>")]
    [InlineData(new[] { "fleets", "--colour", "red" }, "unknown option '--colour'")]
    public async Task BadCommandLine_ExitsWith2AndSaysWhy(string[] args, string message)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Keys_CreateListRevoke_AndTheCreatedKeyWorksUntilRevoked()
    {
        var (exit, created, error) = await RunAsync("keys", "create", "--name", "ops laptop", "--grants", "viewer:*,operator:turbines");
        Assert.True(exit == 0, error);
        var key = created.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("fgk_", StringComparison.Ordinal));
        var id = key[4..20];
        Assert.Contains($"Key {id} 'ops laptop' (viewer:*,operator:turbines)", created, StringComparison.Ordinal);

        var (_, listed, _) = await RunAsync("keys", "list");
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);

        using var http = new HttpClient();
        Assert.Equal(0, await FleetCtl.RunAsync(["--url", Host.BaseAddress.ToString(), "--key", key, "fleets"], http, new StringWriter(), new StringWriter()));
        var (revokedExit, revoked, _) = await RunAsync("keys", "revoke", id);
        Assert.Equal(0, revokedExit);
        Assert.Contains($"Key {id} 'ops laptop' revoked at", revoked, StringComparison.Ordinal);
        var refusal = new StringWriter();
        Assert.Equal(1, await FleetCtl.RunAsync(["--url", Host.BaseAddress.ToString(), "--key", key, "fleets"], http, new StringWriter(), refusal));
        Assert.Contains("401 Unauthorized: The API key 'ops laptop' was revoked.", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_ShowsWhoChangedWhat_WithTheValuesBeforeAndAfter()
    {
        using var pinned = await Host.Http.PutAsJsonAsync("/api/devices/cli-fleet/pump-7/threshold", new { value = 7.5 });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        using var unpinned = await Host.Http.PutAsJsonAsync("/api/devices/cli-fleet/pump-7/threshold", new { value = (float?)null });
        Assert.Equal(HttpStatusCode.OK, unpinned.StatusCode);

        var (exit, table, error) = await RunAsync("audit", "--fleet", "cli-fleet", "--device", "pump-7", "--count", "2");

        Assert.True(exit == 0, error);
        var rows = table.Split('\n').Where(r => r.Contains("PinDeviceThreshold", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.Contains("apikey:admin (admin (configuration))", r, StringComparison.Ordinal));
        Assert.Contains("pinned: 7.5 → null", rows[0], StringComparison.Ordinal); // newest first
        Assert.Contains("pinned: null → 7.5", rows[1], StringComparison.Ordinal);
        var (_, all, _) = await RunAsync("audit");
        Assert.Contains("PinDeviceThreshold", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_SaysWhereItLooked()
    {
        using var http = new HttpClient();
        var error = new StringWriter();

        var exit = await FleetCtl.RunAsync(["--url", "http://127.0.0.1:1", "fleets"], http, new StringWriter(), error);

        Assert.Equal(1, exit);
        Assert.Contains("Cannot reach FleetGrains at http://127.0.0.1:1/", error.ToString());
    }
}
