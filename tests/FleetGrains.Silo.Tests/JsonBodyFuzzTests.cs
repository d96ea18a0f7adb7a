using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// Every endpoint that reads a body (PUT and POST, read from the host's own endpoint list, so one added later is
/// covered too; telemetry has its own fuzz suites) sent mutated, truncated, mistyped, deep, huge and badly encoded JSON:
/// never a server error, and the silo keeps answering.
/// </summary>
[Collection(SiloHostCollection.Name)]
public class JsonBodyFuzzTests(SiloHostFixture fixture)
{
    private const string Fleet = "body-fuzz";
    private const int MutantsPerSeed = 12;

    private static readonly string[] Seeds =
    [
        """{"value": 1.5}""",
        """{"kind": "false-positive"}""",
        """{"comment": "seen"}""",
        """{"anomaly": "model@1", "rul": null}""",
        """{"name": "key", "grants": ["viewer:*"], "expiresAt": "2030-01-01T00:00:00Z"}""",
        """{"url": "http://127.0.0.1:9/hook", "secret": "a-secret-of-enough-length", "events": ["AnomalyRaised"], "minSeverity": "Critical"}""",
    ];

    [Fact]
    public async Task HostileBodies_ToEveryEndpointThatReadsOne_AreNeverAServerError()
    {
        await fixture.Host.Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise(Fleet, "d1", 0, 5, 2, seed: 3)));
        var random = new Random(20261203);
        var bodies = Bodies(random).ToList();
        var failures = new List<string>();
        var tried = 0;
        foreach (var (method, path) in BodyEndpoints())
        {
            foreach (var body in bodies)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                using var response = await fixture.Host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                tried++;
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{method} {path} with {Describe(body)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(tried >= 8 * bodies.Count, $"only {tried} requests");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} requests were server errors:\n{string.Join('\n', failures.Take(10))}");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Host.Http.GetAsync($"/api/fleets/{Fleet}/webhooks")).StatusCode);
    }

    // The PUT and POST routes of the API but telemetry, with their parameters filled: the fleet and device exist.
    private IEnumerable<(string Method, string Path)> BodyEndpoints() =>
        fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal) && e.RoutePattern.RawText != "/api/telemetry")
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Where(m => m is "PUT" or "POST").Select(m => (m, Fill(e.RoutePattern.RawText!))));

    private static string Fill(string pattern) => pattern
        .Replace("{fleetId}", Fleet, StringComparison.Ordinal)
        .Replace("{deviceId}", "d1", StringComparison.Ordinal)
        .Replace("{startSeq:long}", "0", StringComparison.Ordinal)
        .Replace("{name}", "fuzzed", StringComparison.Ordinal)
        .Replace("{workOrderId}", "wo-1", StringComparison.Ordinal)
        .Replace("{keyId}", "0123456789abcdef", StringComparison.Ordinal);

    private static IEnumerable<byte[]> Bodies(Random random)
    {
        string[] fixedOnes =
        [
            "", "null", "[]", "0", "\"text\"", "{", "}", "{\"value\":}", "{\"value\": 1e400}", "{\"value\": -1e-400}",
            "{\"value\": \"\\ud800\"}", "{\"comment\": \"\\u0000\"}", "{\"events\": [\"AnomalyRaised\", 7, null, {}]}",
            "{\"url\": \"javascript:alert(1)\", \"secret\": \"x\", \"events\": []}", "{\"url\": \"http://[::1\", \"secret\": null}",
            new string('[', 10_000) + new string(']', 10_000),
            "{\"comment\": \"" + new string('x', 200_000) + "\"}",
            "{\"grants\": [" + string.Join(',', Enumerable.Repeat("\"admin:*\"", 5_000)) + "]}",
            "{\"value\": 1, \"value\": 2}", "{\"minSeverity\": \"Offline\", \"events\": [\"DeviceOffline\"]}",
        ];
        foreach (var body in fixedOnes)
        {
            yield return Encoding.UTF8.GetBytes(body);
        }

        yield return [0xC3, 0x28, 0xFF, 0xFE];
        yield return [(byte)'{', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        foreach (var seed in Seeds)
        {
            var bytes = Encoding.UTF8.GetBytes(seed);
            for (var i = 0; i < MutantsPerSeed; i++)
            {
                yield return Mutate(bytes, random);
            }
        }
    }

    // A flipped byte, a cut, a doubled stretch or a stray token: what a broken client or a hostile one sends.
    private static byte[] Mutate(byte[] body, Random random)
    {
        var at = random.Next(body.Length);
        return random.Next(4) switch
        {
            0 => [.. body[..at], (byte)random.Next(256), .. body[(at + 1)..]],
            1 => body[..at],
            2 => [.. body[..at], .. body[at..Math.Min(body.Length, at + 12)], .. body[at..]],
            _ => [.. body[..at], .. Encoding.UTF8.GetBytes(new[] { "null", "[", "\"", "{}", "-0", "1e999", "\\u", "true" }[random.Next(8)]), .. body[at..]],
        };
    }

    private static string Describe(byte[] body) => body.Length > 80 ? $"{body.Length} bytes" : Encoding.UTF8.GetString(body);
}
