using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// Checks a <c>SharedAccessSignature sr=…&amp;sig=…&amp;se=…&amp;skn=…</c> token as the service does: the key name is
/// the namespace's, the signature is HMAC-SHA256 with its key over the URL-encoded resource, a line feed and the
/// expiry, the expiry is in the future, and the resource covers the hub.
/// </summary>
public sealed class SharedAccessSignature(string keyName, string key, string hub)
{
    private const string Prefix = "SharedAccessSignature ";

    /// <summary>Null when the token is good; else why not.</summary>
    public string? Problem(string? token)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return "the token is not a shared access signature";
        }

        var fields = token[Prefix.Length..].Split('&')
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sr", out var resource) || !fields.TryGetValue("sig", out var signature)
            || !fields.TryGetValue("se", out var expiry) || !fields.TryGetValue("skn", out var name))
        {
            return "the token lacks one of sr, sig, se, skn";
        }

        if (name != keyName)
        {
            return $"the key '{name}' is not known";
        }

        if (!long.TryParse(expiry, out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) <= DateTimeOffset.UtcNow)
        {
            return "the token has expired";
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{resource}\n{expiry}"));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(WebUtility.UrlDecode(signature));
        }
        catch (FormatException)
        {
            return "the signature is not base64";
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return "the signature does not match the key";
        }

        var path = Uri.TryCreate(WebUtility.UrlDecode(resource), UriKind.Absolute, out var uri) ? uri.AbsolutePath.TrimEnd('/') : "";
        return path.Length == 0 || string.Equals(path, "/" + hub, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/" + hub + "/", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"the token is for '{path}', not this hub";
    }
}
