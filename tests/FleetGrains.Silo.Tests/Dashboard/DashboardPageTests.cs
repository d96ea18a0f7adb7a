using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using FleetGrains.Abstractions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>The dashboard in a real headless Chromium against the real silo host.</summary>
[Collection(DashboardCollection.Name)]
public class DashboardPageTests(DashboardFixture fixture)
{
    private const string Fleet = DashboardFixture.Fleet;

    /// <summary>Where the page tests leave a screenshot of each page in each theme (docs/dashboard holds copies).</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    public static TheoryData<string, string, string> Pages() => new()
    {
        { "fleets", "#/fleets", "Fleets" },
        { "devices", $"#/fleets/{Fleet}?sort=Score", $"Devices of {Fleet}" },
        { "device", $"#/devices/{Fleet}/{DashboardFixture.CriticalDevice}", $"Device {DashboardFixture.CriticalDevice}" },
        { "alarms", $"#/fleets/{Fleet}/alarms", $"Alarms of {Fleet}" },
        { "maintenance", $"#/fleets/{DashboardFixture.RulFleet}/maintenance", $"Maintenance plan of {DashboardFixture.RulFleet}" },
        { "device-rul", $"#/devices/{DashboardFixture.RulFleet}/worn", "Device worn" },
        { "cluster", "#/cluster", "Models and cluster" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryPage_LoadsWithoutConsoleErrors_AndHasNoSeriousAccessibilityViolation_InBothThemes(string name, string hash, string heading)
    {
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, hash, scheme);
            await Expect(page.Page.Locator("h1")).ToContainTextAsync(heading);
            await Expect(page.Page.Locator("html")).ToHaveAttributeAsync("data-theme", scheme == ColorScheme.Dark ? "dark" : "light");

            var axe = await page.Page.RunAxe();
            var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length} nodes)");
            Assert.Empty(serious);
            page.AssertNoErrors();
            await page.Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{name}-{scheme.ToString().ToLowerInvariant()}.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task FleetOverview_ShowsTheApisCounts()
    {
        var rollup = await fixture.Host.GetJsonAsync<FleetRollup>($"/api/fleets/{Fleet}");
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey);

        var card = page.Page.Locator($"[data-fleet='{Fleet}']");
        await Expect(card.GetByTestId("device-count")).ToHaveTextAsync(rollup.DeviceCount.ToString(CultureInfo.InvariantCulture));
        foreach (var state in Enum.GetValues<HealthState>())
        {
            await Expect(card.Locator($"[data-state='{state}'] .count")).ToHaveTextAsync(rollup.Counts.GetValueOrDefault(state).ToString(CultureInfo.InvariantCulture));
        }

        page.AssertNoErrors();
    }

    [Fact]
    public async Task DeviceList_FiltersSortsAndSearches_ThroughTheAddress()
    {
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/fleets/{Fleet}");
        await Expect(page.Page.Locator("#device-range")).ToHaveTextAsync($"1–{DashboardFixture.Devices} of {DashboardFixture.Devices} devices");
        await Expect(page.Page.Locator("tbody tr").First).ToContainTextAsync(DashboardFixture.CriticalDevice); // severity first

        await page.Page.Locator("#filter-state").SelectOptionAsync("Critical");
        await Expect(page.Page.Locator("#device-range")).ToHaveTextAsync("1–1 of 1 devices");
        Assert.Contains("state=Critical", page.Page.Url);

        await page.Page.Locator("#filter-state").SelectOptionAsync("");
        await Expect(page.Page.Locator("#device-range")).ToHaveTextAsync($"1–{DashboardFixture.Devices} of {DashboardFixture.Devices} devices"); // the page drawn again
        await page.Page.Locator("#filter-search").FillAsync("DEV-0");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(page.Page.Locator("#device-range")).ToHaveTextAsync($"1–{DashboardFixture.Devices - 1} of {DashboardFixture.Devices - 1} devices");

        // The address alone brings the same page back.
        await using var shared = await fixture.SignedInAsync(SiloHost.AdminKey, new Uri(page.Page.Url).Fragment);
        await Expect(shared.Page.Locator("#filter-search")).ToHaveValueAsync("DEV-0");
        await Expect(shared.Page.Locator("#device-range")).ToHaveTextAsync($"1–{DashboardFixture.Devices - 1} of {DashboardFixture.Devices - 1} devices");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task DevicePage_DrawsTheThresholdAtTheApisValue()
    {
        var snapshot = await fixture.Host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/dev-01");
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/devices/{Fleet}/dev-01");

        var chart = page.Page.Locator("#score-chart");
        await Expect(chart.Locator("canvas")).ToBeVisibleAsync();
        var drawn = float.Parse((await chart.GetAttributeAsync("data-threshold"))!, CultureInfo.InvariantCulture);
        Assert.Equal(snapshot.Threshold.Effective!.Value, drawn, 1e-6f);
        await Expect(page.Page.Locator("#threshold-caption")).ToContainTextAsync("learned threshold");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task DevicePage_ShowsItsHealthOverTime_AsTheApiRecordedIt()
    {
        var history = await fixture.Host.GetJsonAsync<DeviceScoreHistory>($"/api/devices/{Fleet}/{DashboardFixture.CriticalDevice}/scores");
        var runs = new List<HealthState>();
        foreach (var health in history.Points.Select(p => p.Health).OfType<HealthState>())
        {
            if (runs.Count == 0 || runs[^1] != health)
            {
                runs.Add(health);
            }
        }

        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/devices/{Fleet}/{DashboardFixture.CriticalDevice}");

        var items = page.Page.Locator("#health-runs li");
        await Expect(items).ToHaveCountAsync(runs.Count);
        Assert.Equal(runs.Select(r => r.ToString()), await items.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.state)"));
        Assert.Equal(HealthState.Critical, runs[^1]);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task PinningInThePage_AsksFirst_ChangesItInTheApi_AndShowsTheAuditRecord()
    {
        const string device = "dev-02";
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/devices/{Fleet}/{device}");
        await page.Page.Locator("#pin-value").FillAsync("7.5");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Pin threshold" }).ClickAsync();
        await Expect(page.Page.Locator("#confirm")).ToBeVisibleAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Pin", Exact = true }).ClickAsync();

        await Expect(page.Page.Locator("#action-result")).ToHaveTextAsync("Threshold pinned at 7.5.");
        var snapshot = await fixture.Host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/{device}");
        Assert.Equal(7.5f, snapshot.Threshold.Pinned);
        await Expect(page.Page.Locator("table", new() { HasText = "PinDeviceThreshold" })).ToBeVisibleAsync();

        // Cancelling the confirmation changes nothing.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Unpin" }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Equal(7.5f, (await fixture.Host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/{device}")).Threshold.Pinned);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task AChangeMadeThroughTheApi_AppearsOnAnOpenPage_WithoutReload()
    {
        const string device = "dev-03";
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/devices/{Fleet}/{device}");
        await Expect(page.Page.Locator("#live-state")).ToHaveTextAsync("Live: live");
        await Expect(page.Page.Locator("[data-fact='pinned']")).ToHaveTextAsync("none");

        var response = await fixture.Host.Http.PutAsJsonAsync($"/api/devices/{Fleet}/{device}/threshold", new { value = 9.25 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Expect(page.Page.Locator("[data-fact='pinned']")).ToHaveTextAsync("9.25", new() { Timeout = 2000 });

        // Paused, the page holds still; resumed, it catches up.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Pause live updates" }).ClickAsync();
        await fixture.Host.Http.PutAsJsonAsync($"/api/devices/{Fleet}/{device}/threshold", new { value = (float?)null });
        await Task.Delay(1000);
        await Expect(page.Page.Locator("[data-fact='pinned']")).ToHaveTextAsync("9.25");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Resume live updates" }).ClickAsync();
        await Expect(page.Page.Locator("[data-fact='pinned']")).ToHaveTextAsync("none", new() { Timeout = 2000 });
        page.AssertNoErrors();
    }

    [Fact]
    public async Task AcknowledgingAnAlarmInThePage_ChangesItInTheApi_AndShowsWhoAndWhen()
    {
        var episode = (await fixture.Host.GetJsonAsync<AnomalyPage>($"/api/fleets/{Fleet}/anomalies?deviceId={DashboardFixture.CriticalDevice}")).Episodes.Single();
        var id = $"{episode.DeviceId}@{episode.StartSeq}";
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/fleets/{Fleet}/alarms?status=Active");
        await Expect(page.Page.Locator("[data-status='Active'] .count")).ToHaveTextAsync("1");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Acknowledge {id}" }).ClickAsync();
        await page.Page.Locator("#confirm-comment").FillAsync("checking the pump");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true }).ClickAsync();
        await Expect(page.Page.Locator("#alarm-result")).ToHaveTextAsync($"Alarm {id} acknowledged.");

        var after = (await fixture.Host.GetJsonAsync<AnomalyPage>($"/api/fleets/{Fleet}/anomalies?deviceId={DashboardFixture.CriticalDevice}")).Episodes.Single();
        Assert.Equal((AlarmStatus.Acknowledged, "checking the pump"), (after.Status, after.Acknowledged?.Comment));
        await Expect(page.Page.Locator("[data-status='Acknowledged'] .count")).ToHaveTextAsync("1");
        await Expect(page.Page.Locator($"[data-alarm='{id}']")).ToHaveCountAsync(0); // the page shows active ones only

        await page.Page.Locator("#alarm-status").SelectOptionAsync("Acknowledged");
        await Expect(page.Page.Locator($"[data-alarm='{id}'] [data-field='status']")).ToContainTextAsync($"Acknowledged by {after.Acknowledged!.By}");
        await Expect(page.Page.Locator($"[data-alarm='{id}'] [data-field='status']")).ToContainTextAsync("checking the pump");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task CompletingAWorkOrderInThePage_RemovesItFromThePlan()
    {
        const string rulFleet = DashboardFixture.RulFleet;
        var plan = await fixture.Host.GetJsonAsync<MaintenancePlan>($"/api/fleets/{rulFleet}/maintenance");
        var order = plan.Open.Single(o => o.DeviceId == "worn-too");
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/fleets/{rulFleet}/maintenance");
        await Expect(page.Page.Locator("[data-order]")).ToHaveCountAsync(plan.Open.Count);
        await Expect(page.Page.Locator($"[data-day='{plan.Open[0].ScheduledFor:yyyy-MM-dd}']")).ToContainTextAsync("1 of 1");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Complete {order.Id}" }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Complete", Exact = true }).ClickAsync();
        await Expect(page.Page.Locator("#maintenance-result")).ToHaveTextAsync($"Work order {order.Id} completed.");
        await Expect(page.Page.Locator($"[data-order='{order.Id}']")).ToHaveCountAsync(0);
        var after = await fixture.Host.GetJsonAsync<MaintenancePlan>($"/api/fleets/{rulFleet}/maintenance");
        Assert.DoesNotContain(after.Open, o => o.Id == order.Id);
        Assert.Contains(after.RecentlyCompleted, o => o.Id == order.Id);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task TheClusterPage_ShowsEachModelHostsProvider_AndSwitchingAFleetsModelChangesItInTheApi()
    {
        const string modelsFleet = DashboardFixture.ModelsFleet;
        var rulModel = DashboardFixture.RulModel.Key;
        var cluster = await fixture.Host.GetJsonAsync<System.Text.Json.JsonElement>("/api/cluster");
        var host = cluster.GetProperty("modelHosts").EnumerateArray().Single(h => h.GetProperty("model").GetString() == rulModel);
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, "#/cluster");
        await Expect(page.Page.Locator($"[data-model='{rulModel}'] [data-provider]")).ToHaveTextAsync(host.GetProperty("status").GetProperty("activeProvider").GetString()!);
        await Expect(page.Page.Locator("[data-silo]")).ToHaveCountAsync(1);

        await page.Page.Locator($"#switch-{modelsFleet}-rul").SelectOptionAsync(rulModel);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = $"Switch {modelsFleet}" }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Switch", Exact = true }).ClickAsync();

        await Expect(page.Page.Locator("#models-result")).ToHaveTextAsync($"Fleet {modelsFleet} switched.");
        await Expect(page.Page.Locator($"tr[data-fleet='{modelsFleet}'] [data-kind='rul']")).ToHaveTextAsync(rulModel);
        var assignment = await fixture.Host.GetJsonAsync<FleetModelAssignment>($"/api/fleets/{modelsFleet}/models");
        Assert.Equal((DashboardFixture.RulModel, "api"), (assignment.Rul?.Model, assignment.Source));
        Assert.Null(assignment.Anomaly);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task AViewer_SeesTheModelsOfItsFleet_ButNoSwitch_AndNoClusterDetails()
    {
        await using var page = await fixture.SignedInAsync(fixture.ViewerKey, "#/cluster");
        await Expect(page.Page.Locator("tr[data-fleet]")).ToHaveCountAsync(1);
        await Expect(page.Page.Locator($"tr[data-fleet='{Fleet}'] [data-kind='anomaly']")).ToHaveTextAsync("statistical scorer");
        await Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = $"Switch {Fleet}" })).ToHaveCountAsync(0);
        await Expect(page.Page.Locator("[data-silo]")).ToHaveCountAsync(0);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task TheKeyboardAlone_ReachesAnAction_OpensItsConfirmation_AndCancelsIt()
    {
        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/devices/{Fleet}/dev-06");
        await Expect(page.Page.Locator("[data-fact='threshold']")).ToContainTextAsync("learned");
        await page.Page.Locator("body").FocusAsync();

        await page.Page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await FocusedTextAsync(page.Page));
        var reached = false;
        for (var presses = 0; presses < 80 && !reached; presses++)
        {
            await page.Page.Keyboard.PressAsync("Tab");
            reached = await FocusedTextAsync(page.Page) == "Pin threshold";
        }

        Assert.True(reached, "Tab never reached the Pin threshold button");
        await page.Page.Keyboard.PressAsync("Enter");
        await Expect(page.Page.Locator("#confirm")).ToBeVisibleAsync();
        await page.Page.Keyboard.PressAsync("Escape");
        await Expect(page.Page.Locator("#confirm")).Not.ToBeVisibleAsync();
        Assert.Null((await fixture.Host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/dev-06")).Threshold.Pinned);
        page.AssertNoErrors();
    }

    private static async Task<string> FocusedTextAsync(IPage page) =>
        (await page.EvaluateAsync<string>("document.activeElement?.textContent ?? ''")).Trim();

    [Fact]
    public async Task AFailingWebhook_IsShownOnTheAlarmsPage()
    {
        const string fleet = DashboardFixture.ModelsFleet;
        var put = await fixture.Host.Http.PutAsJsonAsync($"/api/fleets/{fleet}/webhooks/pager",
            new { url = "http://127.0.0.1:9/nobody-listens", secret = "a-secret-of-enough-length", events = new[] { "AnomalyRaised" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await fixture.SendAsync(Telemetry.Noise(fleet, "m-alarm", 0, 30, 3, 11));
        await fixture.SendAsync(Enumerable.Range(30, 3).Select(seq => Telemetry.Event(fleet, "m-alarm", seq, 500f, 500f, 500f)));
        await fixture.Host.EventuallyAsync<WebhookStatus[]>($"/api/fleets/{fleet}/webhooks", w => w.Single().ConsecutiveFailures >= 1);

        await using var page = await fixture.SignedInAsync(SiloHost.AdminKey, $"#/fleets/{fleet}/alarms");

        await Expect(page.Page.Locator("[data-webhook='pager'] [data-field='webhook-state']")).ToContainTextAsync("Failing");
        await Expect(page.Page.Locator("[data-webhook='pager']")).ToContainTextAsync("http://127.0.0.1:9/nobody-listens");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task WithoutAKey_TheDashboardAsksForOne_AndARefusedKeyIsSaid()
    {
        await using var page = await fixture.OpenAsync("#/fleets");
        await Expect(page.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Page.Locator("main")).ToBeEmptyAsync();

        await page.Page.Locator("#login-key").FillAsync("fgk_not-a-real-key");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Page.Locator("#login-error")).ToContainTextAsync("refused");
        await Expect(page.Page.Locator("#login")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AViewer_SeesNoActions_AndTheApiRefusesThem()
    {
        await using var page = await fixture.SignedInAsync(fixture.ViewerKey, $"#/devices/{Fleet}/dev-04");
        await Expect(page.Page.Locator("[data-fact='threshold']")).ToContainTextAsync("learned");
        await Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "Pin threshold" })).ToHaveCountAsync(0);
        await Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "Report false positive" })).ToHaveCountAsync(0);

        var status = await page.Page.EvaluateAsync<int>(
            "async path => (await fetch(path, { method: 'PUT', headers: { 'X-Api-Key': sessionStorage.getItem('fleetgrains.apiKey'), 'Content-Type': 'application/json' }, body: '{\"value\": 1}' })).status",
            $"/api/devices/{Fleet}/dev-04/threshold");
        Assert.Equal(403, status);
    }

    [Fact]
    public async Task TheDashboard_IsServedWithAPolicyThatAllowsOnlyItsOwnOrigin_AndNeedsNoKey()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var index = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(' ', index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/js/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/fleets")).StatusCode);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", string.Join(' ', (await anonymous.GetAsync("/api/fleets")).Headers.GetValues("Content-Security-Policy")));
    }
}
