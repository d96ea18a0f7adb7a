using System.Text.Json;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// Every endpoint's parameters, as the OpenAPI document lists them, at and beyond the extremes of their types:
/// never a server error. Generated from the document, so an endpoint added later is covered without a new test.
/// </summary>
[Collection(SiloHostCollection.Name)]
public class ParameterExtremesTests(SiloHostFixture fixture)
{
    private const string Fleet = "extremes";
    private const string Device = "d1";

    private static readonly string[] IntegerExtremes =
    [
        int.MinValue.ToString(), int.MaxValue.ToString(), long.MinValue.ToString(), long.MaxValue.ToString(),
        "9223372036854775808", "-1", "0", "1e3", "0x10", "abc", "", "%00", "1.5", "NaN", "%FF",
    ];

    private static readonly string[] StringExtremes =
    [
        "", "%00", "%FF", "%ED%A0%80", "%C0%AF", "..", "%2E%2E", "a%2Fb", "%5Cud800", new('x', 4000), "Critical", "severity", "-1",
    ];

    [Fact]
    public async Task EveryParameterOfEveryEndpoint_AtItsTypesExtremes_IsNeverAServerError()
    {
        await fixture.Host.Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise(Fleet, Device, 0, 5, 2, seed: 9)));
        var document = await fixture.Host.GetJsonAsync<JsonElement>("/openapi/v1.json");
        var failures = new List<string>();
        var tried = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
                foreach (var parameter in parameters)
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    var values = parameter.TryGetProperty("schema", out var schema) && IsInteger(schema) ? IntegerExtremes : StringExtremes;
                    foreach (var value in values)
                    {
                        var url = Url(path.Name, parameters, name, value);
                        using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url);
                        if (request.Method != HttpMethod.Get)
                        {
                            request.Content = Telemetry.Raw("{}");
                        }

                        // Headers only: the live feeds (server-sent events) answer with a stream that does not end.
                        using var response = await fixture.Host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                        tried++;
                        if ((int)response.StatusCode >= 500)
                        {
                            failures.Add($"{operation.Name.ToUpperInvariant()} {url[..Math.Min(url.Length, 150)]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                }
            }
        }

        Assert.True(tried > 150, $"only {tried} requests: the OpenAPI document lists fewer parameters than expected");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} requests were server errors:\n{string.Join("\n", failures.Take(15))}");
    }

    private static bool IsInteger(JsonElement schema) =>
        schema.TryGetProperty("type", out var type) && (type.ValueKind == JsonValueKind.String
            ? type.GetString() == "integer"
            : type.EnumerateArray().Any(t => t.GetString() == "integer"));

    // The path with every route parameter filled with a real value (the fleet and device exist), except the one under test.
    private static string Url(string template, List<JsonElement> parameters, string tested, string value)
    {
        var path = template;
        var query = new List<string>();
        foreach (var parameter in parameters)
        {
            var name = parameter.GetProperty("name").GetString()!;
            var location = parameter.GetProperty("in").GetString();
            var filled = name == tested ? value : name switch
            {
                "fleetId" => Fleet,
                "deviceId" => Device,
                "startSeq" => "0",
                _ => "wo-1",
            };
            if (location == "path")
            {
                path = path.Replace($"{{{name}}}", filled, StringComparison.Ordinal);
            }
            else if (location == "query" && name == tested)
            {
                query.Add($"{name}={filled}");
            }
        }

        return query.Count == 0 ? path : $"{path}?{string.Join('&', query)}";
    }
}
