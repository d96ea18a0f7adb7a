using Microsoft.Playwright;

namespace FleetGrains.Silo.Tests.Dashboard;

/// <summary>
/// The system's Chromium (Debian's <c>chromium</c>, the major version Playwright 1.64 drives), headless and kept off
/// the network: Playwright never downloads a browser here. <c>FLEET_CHROMIUM</c> names another binary.
/// </summary>
public static class Chromium
{
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("FLEET_CHROMIUM") is { Length: > 0 } configured ? configured
        : Candidates.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException("No Chromium found: install Debian's chromium package (test.sh does) or set FLEET_CHROMIUM.");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args =
        [
            "--no-sandbox", // the tests may run as root, where Chromium's sandbox cannot start; they load only our pages
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--disable-gpu",
        ],
    });
}
