using System.Net;
using System.Net.Http.Json;
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

    public Uri BaseUrl => baseUrl;

    /// <summary>The body of a successful GET, as text.</summary>
    public Task<string> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        Read<T>(path, await GetAsync(path, cancellationToken));

    /// <summary>Sends <paramref name="body"/> as JSON and reads the successful answer as <typeparamref name="T"/>.</summary>
    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object body, CancellationToken cancellationToken = default) =>
        Read<T>(path, await SendAsync(method, path, JsonContent.Create(body, options: Json), cancellationToken));

    /// <summary>Sends a DELETE and reads the successful answer as <typeparamref name="T"/>.</summary>
    public async Task<T> DeleteAsync<T>(string path, CancellationToken cancellationToken = default) =>
        Read<T>(path, await SendAsync(HttpMethod.Delete, path, null, cancellationToken));

    private async Task<string> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = content };
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new FleetApiException($"Cannot reach FleetGrains at {baseUrl}: {ex.Message} (set --url or FLEETCTL_URL)");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new FleetApiException(DescribeProblem(response.StatusCode, text), response.StatusCode);
            }

            return text;
        }
    }

    private static T Read<T>(string path, string body) =>
        JsonSerializer.Deserialize<T>(body, Json) ?? throw new FleetApiException($"The API answered {path} with an empty body.");

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

public sealed class FleetApiException(string message, HttpStatusCode? status = null) : Exception(message)
{
    /// <summary>The API's answer, when it answered.</summary>
    public HttpStatusCode? Status { get; } = status;
}
