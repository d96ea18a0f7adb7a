using System.Net;
using System.Text.Json;

namespace FleetGrains.Silo.Tests;

internal static class ProblemAssert
{
    /// <summary>Asserts a problem+json answer with the status, and returns its body.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;

    /// <summary>The detail and every validation message, as one text.</summary>
    public static string Messages(this JsonElement problem)
    {
        var messages = new List<string>();
        if (problem.TryGetProperty("detail", out var detail))
        {
            messages.Add(detail.GetString()!);
        }

        if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            messages.AddRange(errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")));
        }

        return string.Join(" | ", messages);
    }
}
