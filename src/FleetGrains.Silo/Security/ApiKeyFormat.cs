using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace FleetGrains.Silo.Security;

/// <summary>
/// An API key is <c>fgk_{id}_{secret}</c>: the id (16 hex digits) names its stored record, the secret (256 random
/// bits, base64url) is checked against the SHA-256 kept there. A fast hash is right for a random 256-bit secret
/// (nothing to guess); the comparison takes the same time whatever matches.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "fgk_";

    public static (string Id, string Secret, string Key) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (id, secret, $"{Prefix}{id}_{secret}");
    }

    public static bool TryParse(string key, out string id, out string secret)
    {
        id = secret = "";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length != Prefix.Length + 16 + 1 + 43 || key[Prefix.Length + 16] != '_')
        {
            return false;
        }

        id = key.Substring(Prefix.Length, 16);
        secret = key[(Prefix.Length + 17)..];
        return id.All(char.IsAsciiHexDigitLower);
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, string secret) => CryptographicOperations.FixedTimeEquals(storedHash, Hash(secret));
}
