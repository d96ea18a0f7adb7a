using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using FleetGrains.Abstractions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>
/// The device list of a fleet of 100,000 devices: the browser receives one page of devices at a time (sorted,
/// searched and cut by the fleet's shards), never the fleet. Figures are printed and written to
/// <c>dashboard-large-fleet.txt</c>; the time bound is generous (shared, noisy machines).
/// </summary>
public sealed class LargeFleetPagingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Fleet = "big";
    private const int Devices = 100_000;
    private const int PageSize = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private SiloHost _host = null!;
    private HeadlessBrowser _chromium = null!;

    public async Task InitializeAsync()
    {
        _host = await SiloHost.StartAsync(new Dictionary<string, string?>(SiloHost.FastRollup)
        {
            [$"Fleet:Devices:Fleets:{Fleet}:WindowSize"] = "2",
            [$"Fleet:Devices:Fleets:{Fleet}:FeatureCount"] = "1",
            ["Fleet:Devices:ScoreHistory"] = "0",
            ["Fleet:Devices:MinOfflineTimeout"] = "01:00:00",
            ["Fleet:Security:RateLimits:ApiPerWindow"] = "1000000",
            ["Fleet:Security:RateLimits:IngestPerWindow"] = "1000000",
        });
        const int batch = 2_000;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Parallel.ForEachAsync(Enumerable.Range(0, Devices / batch), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (b, cancellationToken) =>
        {
            var body = new StringBuilder();
            for (var i = b * batch; i < (b + 1) * batch; i++)
            {
                body.Append(CultureInfo.InvariantCulture, $$"""{"fleetId":"{{Fleet}}","deviceId":"{{DeviceId(i)}}","ts":{{now}},"seq":0,"values":[{{i % 97}}]}""").Append('\n');
            }

            using var response = await _host.Http.PostAsync("/api/telemetry", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"), cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        });
        await _host.EventuallyAsync<FleetRollup>($"/api/fleets/{Fleet}", r => r.DeviceCount == Devices, TimeSpan.FromSeconds(120));
        _chromium = await HeadlessBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task TheDeviceList_PagesThroughAHundredThousandDevices_OnePageAtATime()
    {
        var report = new StringBuilder("step\tms\tdevice-list bytes\n");
        var (context, page, elapsed) = await FirstView.OpenAsync(_chromium.Browser, _host.BaseAddress, SiloHost.AdminKey, $"#/fleets/{Fleet}?sort=DeviceId",
            "main tbody tr", PageSize);
        await using var browserContext = context;
        var listings = new ConcurrentQueue<IResponse>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains($"/api/fleets/{Fleet}/devices", StringComparison.Ordinal))
            {
                listings.Enqueue(response);
            }
        };
        report.Append(CultureInfo.InvariantCulture, $"first view\t{elapsed.TotalMilliseconds:F0}\t\n");
        await Expect(page.Locator("#device-range")).ToHaveTextAsync($"1–50 of {Devices:N0} devices");
        await Expect(page.Locator("main tbody tr").First).ToContainTextAsync(DeviceId(0));

        var slow = new List<string>();
        async Task StepAsync(string name, Func<Task> act, string range, string firstDevice)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await act();
            await Expect(page.Locator("#device-range")).ToHaveTextAsync(range);
            await Expect(page.Locator("main tbody tr").First).ToContainTextAsync(firstDevice);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var bytes = listings.IsEmpty ? 0 : (await listings.Last().BodyAsync()).Length;
            report.Append(CultureInfo.InvariantCulture, $"{name}\t{took.TotalMilliseconds:F0}\t{bytes}\n");
            if (took > Bound)
            {
                slow.Add($"{name}: {took.TotalMilliseconds:F0} ms");
            }
        }

        await StepAsync("next page", () => page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync(), $"51–100 of {Devices:N0} devices", DeviceId(50));
        await StepAsync("next page", () => page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync(), $"101–150 of {Devices:N0} devices", DeviceId(100));
        await StepAsync("deepest page (offset 9,950)", () => page.EvaluateAsync($"location.hash = '#/fleets/{Fleet}?sort=DeviceId&page=199'"), $"9,951–10,000 of {Devices:N0} devices", DeviceId(9_950));
        await StepAsync("search by id", () => page.EvaluateAsync($"location.hash = '#/fleets/{Fleet}?sort=DeviceId&search=099998'"), "1–1 of 1 devices", DeviceId(99_998));
        await StepAsync("sorted by severity", () => page.EvaluateAsync($"location.hash = '#/fleets/{Fleet}?sort=Severity'"), $"1–50 of {Devices:N0} devices", "big-");

        output.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "dashboard-large-fleet.txt"), report.ToString());
        Assert.Equal(5, listings.Count);
        Assert.All(listings, listing => Assert.Contains($"limit={PageSize}", listing.Url, StringComparison.Ordinal));
        var received = 0;
        foreach (var listing in listings)
        {
            received += (await listing.BodyAsync()).Length;
        }

        Assert.True(received < 100 * 1024, $"the browser received {received} bytes of device lists");
        Assert.True(slow.Count == 0, $"over {Bound.TotalSeconds} s: {string.Join(", ", slow)}\n{report}");
    }

    private static string DeviceId(int i) => $"{Fleet}-{i:000000}";
}
