using System.Net;
using System.Net.Http.Json;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Tests;
using Microsoft.Playwright;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>
/// A silo host with a small fleet (<see cref="Fleet"/>: ten calibrated devices, one of them Critical), a fleet with a
/// RUL model whose worn devices have work orders (<see cref="RulFleet"/>), a fleet whose models the tests switch
/// (<see cref="ModelsFleet"/>), a viewer key, and one headless Chromium
/// shared by the dashboard tests.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Fleet = "dash";
    public const string RulFleet = "dash-rul";
    public const string ModelsFleet = "dash-models";
    public static readonly ModelRef RulModel = new("test-rul", 1);
    private readonly TestModels _models = new();
    public const int Devices = 10;
    public const string CriticalDevice = "dev-bad";

    public SiloHost Host { get; private set; } = null!;

    public IBrowser Browser => _chromium.Browser;

    public string ViewerKey { get; private set; } = null!;

    private HeadlessBrowser _chromium = null!;

    public async Task InitializeAsync()
    {
        _models.WriteLinearRul(RulModel); // RUL = 100 − the first reading
        Host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            ["Fleet:Inference:ModelDirectory"] = _models.ModelDirectory,
            [$"Fleet:Models:Fleets:{RulFleet}:Rul"] = RulModel.Key,
            [$"Fleet:Maintenance:Fleets:{RulFleet}:DailyCapacity"] = "1",
            ["Fleet:Maintenance:PlanningHorizon"] = "30",
            ["Fleet:Maintenance:ReportInterval"] = "00:00:00.500",
            ["Fleet:Security:RateLimits:ApiPerWindow"] = "1000000",
            ["Fleet:Api:LiveInterval"] = "00:00:00.200",
            ["Fleet:Devices:MinOfflineTimeout"] = "01:00:00", // the seeded devices send nothing more

        });
        for (var i = 0; i < Devices - 1; i++)
        {
            await SendAsync(Telemetry.Noise(Fleet, $"dev-{i:00}", 0, 30, 3, i));
        }

        await SendAsync(Telemetry.Noise(Fleet, CriticalDevice, 0, 30, 3, 99));
        await SendAsync(Enumerable.Range(30, 3).Select(seq => Telemetry.Event(Fleet, CriticalDevice, seq, 500f, 500f, 500f)));
        await Host.EventuallyAsync<FleetRollup>($"/api/fleets/{Fleet}", r => r.DeviceCount == Devices && r.Counts[HealthState.Critical] == 1);

        foreach (var (device, firstReading) in new[] { ("worn", 90f), ("aging", 75f), ("worn-too", 85f), ("fresh", 10f) })
        {
            await SendAsync(Enumerable.Range(0, 5).Select(seq => Telemetry.Event(RulFleet, device, seq, firstReading, 1f, 2f)));
        }

        await Host.EventuallyAsync<MaintenancePlan>($"/api/fleets/{RulFleet}/maintenance", p => p.Open.Count == 3);
        await SendAsync(Telemetry.Noise(ModelsFleet, "m-1", 0, 5, 3, 7));

        var created = await Host.Http.PostAsJsonAsync("/api/keys", new { name = "dashboard-viewer", grants = new[] { $"viewer:{Fleet}" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        ViewerKey = (await created.Content.ReadFromJsonAsync<CreatedKey>())!.Key;

        _chromium = await HeadlessBrowser.LaunchAsync();
    }

    public async Task SendAsync(IEnumerable<Dictionary<string, object?>> events)
    {
        var response = await Host.Http.PostAsync("/api/telemetry", Telemetry.Array(events));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>A new page (its own context: storage, theme) signed in through the login prompt with <paramref name="key"/>.</summary>
    public async Task<DashboardPage> SignedInAsync(string key, string hash = "#/fleets", ColorScheme scheme = ColorScheme.Light)
    {
        var page = await OpenAsync(hash, scheme);
        await page.Page.Locator("#login-key").FillAsync(key);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Page.Locator("#login")).Not.ToBeVisibleAsync();
        return page;
    }

    /// <summary>A new page at <paramref name="hash"/>, not signed in.</summary>
    public async Task<DashboardPage> OpenAsync(string hash = "", ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Host.BaseAddress.ToString(), ColorScheme = scheme, ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var result = new DashboardPage(context, page);
        await page.GotoAsync($"/{hash}");
        return result;
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await Host.DisposeAsync();
        _models.Dispose();
    }

    private sealed record CreatedKey(string Key);
}

/// <summary>A page with its browser context; it records every console error and uncaught exception.</summary>
public sealed class DashboardPage : IAsyncDisposable
{
    public DashboardPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => Errors.Add($"page error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Errors.Add($"{response.Status} for {response.Request.Method} {response.Url}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, $"The page logged errors:\n{string.Join('\n', Errors)}");

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
