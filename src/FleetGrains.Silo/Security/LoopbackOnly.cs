using System.Net;

namespace FleetGrains.Silo.Security;

/// <summary>Whether the addresses the API is configured to listen on are all loopback ones (localhost, 127.x, ::1).</summary>
public static class LoopbackOnly
{
    /// <summary>The configured listen URLs that are not loopback (<c>Urls</c>, <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints:*:Url</c>).</summary>
    public static List<string> NonLoopbackUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return [.. urls.Where(url => !IsLoopback(url))];
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
