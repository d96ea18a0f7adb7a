using Microsoft.Playwright;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>Playwright and one headless system Chromium (<see cref="Chromium"/>), started and disposed together.</summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        return new HeadlessBrowser(playwright, await Chromium.LaunchAsync(playwright));
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
