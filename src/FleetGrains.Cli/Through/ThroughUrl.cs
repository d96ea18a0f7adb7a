namespace FleetGrains.Cli.Through;

public static class ThroughUrl
{
    /// <summary>The base URL of a running FleetGrains given with <c>--through</c>.</summary>
    public static Uri Parse(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--through takes the http(s) URL of a running FleetGrains, got '{url}'.");
}
