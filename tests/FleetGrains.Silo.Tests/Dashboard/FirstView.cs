using System.Diagnostics;
using Microsoft.Playwright;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>
/// Opens a dashboard page in a fresh browser context (nothing cached, the key already in the session as after a
/// sign-in) and times it from navigation until the page shows its data: <c>count</c> elements match <c>ready</c> (a CSS
/// selector; the page's policy forbids the script strings Playwright's <c>WaitForFunctionAsync</c> evaluates).
/// </summary>
public static class FirstView
{
    public static async Task<(IBrowserContext Context, IPage Page, TimeSpan Elapsed)> OpenAsync(IBrowser browser, Uri baseAddress, string key, string hash, string ready, int count = 1, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ColorScheme = scheme, ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.AddInitScriptAsync($"sessionStorage.setItem('fleetgrains.apiKey', '{key}');");
        var page = await context.NewPageAsync();
        var started = Stopwatch.GetTimestamp();
        await page.GotoAsync($"/{hash}");
        await page.Locator(ready).Nth(count - 1).WaitForAsync(new() { Timeout = 30_000 });
        return (context, page, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The median of <paramref name="times"/> loads of the page, each in a fresh context.</summary>
    public static async Task<TimeSpan> MedianAsync(IBrowser browser, Uri baseAddress, string key, string hash, string ready, int count = 1, int times = 3)
    {
        var elapsed = new List<TimeSpan>();
        for (var i = 0; i < times; i++)
        {
            var (context, _, time) = await OpenAsync(browser, baseAddress, key, hash, ready, count);
            elapsed.Add(time);
            await context.CloseAsync();
        }

        return elapsed.Order().ElementAt(times / 2);
    }
}
