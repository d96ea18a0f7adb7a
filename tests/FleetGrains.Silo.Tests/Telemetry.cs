using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FleetGrains.Silo.Tests;

/// <summary>Builds telemetry bodies for the ingestion endpoint.</summary>
internal static class Telemetry
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static Dictionary<string, object?> Event(string fleetId, string deviceId, long seq, params float[] values) => new()
    {
        ["fleetId"] = fleetId,
        ["deviceId"] = deviceId,
        ["ts"] = Now,
        ["seq"] = seq,
        ["values"] = values,
    };

    /// <summary><paramref name="count"/> events of Gaussian noise, seq from <paramref name="firstSeq"/>.</summary>
    public static IEnumerable<Dictionary<string, object?>> Noise(string fleetId, string deviceId, long firstSeq, int count, int features, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            yield return Event(fleetId, deviceId, firstSeq + i, [.. Enumerable.Range(0, features).Select(f => (float)((10 * f) + random.NextDouble()))]);
        }
    }

    public static StringContent Array(IEnumerable<object> events) =>
        new(JsonSerializer.Serialize(events), Encoding.UTF8, "application/json");

    public static StringContent Ndjson(IEnumerable<object> events) =>
        new(string.Join('\n', events.Select(e => JsonSerializer.Serialize(e))), Encoding.UTF8, "application/x-ndjson");

    public static StringContent Raw(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
