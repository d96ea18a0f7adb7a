using System.Net;
using System.Text;
using FleetGrains.Silo.Security;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>The ways in this change added (the key API's bodies, the X-Api-Key header, bearer tokens) never answer 5xx to client input.</summary>
[Collection(SiloHostCollection.Name)]
public sealed class HostileCredentialTests(SiloHostFixture fixture)
{
    private const string ValidBody = """{"name":"gateway","grants":["ingest:fuzz","viewer:*"],"expiresAt":"2030-01-01T00:00:00Z"}""";

    [Fact]
    public async Task HostileKeyRequests_AreNever5xx()
    {
        var random = new Random(20261201);
        var failures = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(ValidBody);
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            using var response = await fixture.Host.Http.PostAsync("/api/keys", new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } });
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{(int)response.StatusCode} for {Convert.ToBase64String(bytes)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(10)));
    }

    [Fact]
    public async Task HostileCredentials_Are401_NeverA5xx()
    {
        var random = new Random(1201);
        var credentials = new List<(string Header, string Value)>
        {
            (ApiKeyAuthenticationHandler.Header, ApiKeyFormat.Prefix + new string('a', 16) + "_" + new string('b', 43)),
            (ApiKeyAuthenticationHandler.Header, ApiKeyFormat.Prefix + new string('G', 16) + "_" + new string('b', 43)),
            (ApiKeyAuthenticationHandler.Header, new string('x', 100_000)),
            ("Authorization", "Bearer " + new string('e', 5_000)),
            ("Authorization", "Bearer a.b.c"),
        };
        for (var i = 0; i < 200; i++)
        {
            var chars = Enumerable.Range(0, random.Next(1, 120)).Select(_ => (char)random.Next(0x21, 0x7F)).ToArray();
            credentials.Add((i % 2 == 0 ? ApiKeyAuthenticationHandler.Header : "Authorization", i % 2 == 0 ? new string(chars) : "Bearer " + new string(chars)));
        }

        var wrong = new List<string>();
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        foreach (var (header, value) in credentials)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/fleets");
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await client.SendAsync(request);
            if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.RequestHeaderFieldsTooLarge))
            {
                wrong.Add($"{(int)response.StatusCode} for {header}: {value[..Math.Min(60, value.Length)]}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong.Take(10)));
    }
}
