using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleetGrains.Silo.Api;

/// <summary>Reads the small JSON bodies of the operator endpoints, with one way of saying what is wrong.</summary>
public static class JsonBody
{
    /// <summary>
    /// The body as <typeparamref name="T"/> (null for a JSON <c>null</c>), or a problem: 413 past
    /// <paramref name="maxBytes"/>, 400 when it is not such JSON; <paramref name="usage"/> says what to send.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, int maxBytes, JsonSerializerOptions json, string usage, CancellationToken cancellationToken)
        where T : class
    {
        using var body = await RequestBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"This request's body is at most {maxBytes} bytes."));
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(body.Span, json), null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: $"{usage} {ex.Message}"));
        }
    }
}
