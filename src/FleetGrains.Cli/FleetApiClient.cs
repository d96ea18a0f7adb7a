using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleetGrains.Cli;

/// <summary>Reads the FleetGrains API. Non-success answers become <see cref="FleetApiException"/> with the problem's detail.</summary>
public sealed class FleetApiClient(HttpClient http, Uri baseUrl)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    /// <summary>The body of a successful GET, as text.</summary>
    public async Task<string> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(baseUrl, path), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new FleetApiException($"Cannot reach FleetGrains at {baseUrl}: {ex.Message} (set --url or FLEETCTL_URL)");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new FleetApiException(DescribeProblem(response.StatusCode, body));
            }

            return body;
        }
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        JsonSerializer.Deserialize<T>(await GetAsync(path, cancellationToken), Json)
        ?? throw new FleetApiException($"The API answered {path} with an empty body.");

    private static string DescribeProblem(HttpStatusCode status, string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            if (detail is null && root.TryGetProperty("errors", out var errors))
            {
                detail = string.Join("; ", errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")));
            }

            var title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            return $"{(int)status} {title ?? status.ToString()}: {detail ?? body}";
        }
        catch (JsonException)
        {
            return $"{(int)status} {status}: {body}";
        }
    }
}

public sealed class FleetApiException(string message) : Exception(message);
