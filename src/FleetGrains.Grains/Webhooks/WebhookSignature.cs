using System.Security.Cryptography;
using System.Text;

namespace FleetGrains.Grains.Webhooks;

/// <summary>
/// The signature a webhook delivery carries in <c>X-FleetGrains-Signature</c>: <c>sha256=</c> and the lower-case hex
/// HMAC-SHA256, keyed with the webhook's secret, of <c>{timestamp}.{body}</c> (the Unix seconds of
/// <c>X-FleetGrains-Timestamp</c>, a dot, the raw body). A receiver computes the same and compares in constant time,
/// and refuses old timestamps against replays.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-FleetGrains-Signature";
    public const string TimestampHeader = "X-FleetGrains-Timestamp";
    public const string DeliveryHeader = "X-FleetGrains-Delivery";
    public const string EventHeader = "X-FleetGrains-Event";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
