using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetGrains.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// Admission control: a silo at its bound of telemetry events in flight answers more HTTP ingestion 503 with
/// Retry-After at once, applying none of it, while it still answers device queries; whatever it answered 202 for
/// is in device state.
/// </summary>
public sealed class AdmissionControlTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Fleet = "admission";
    private SiloHost _host = null!;

    public async Task InitializeAsync() => _host = await SiloHost.StartAsync(new Dictionary<string, string?>
    {
        ["Fleet:Ingestion:MaxEventsInFlight"] = "30",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ASiloAtItsBound_Answers503AtOnce_AppliesNothing_AndStillAnswersQueries()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("queried", 0, 1)).StatusCode);
        var admission = _host.Services.GetRequiredService<IngestionAdmission>();
        Assert.True(admission.TryEnter(30)); // as if 30 events were with their grains

        var clock = Stopwatch.StartNew();
        using var refused = await SendAsync("refused", 0, 5);
        var answeredIn = clock.Elapsed;
        using var query = await _host.Http.GetAsync($"/api/devices/{Fleet}/queried");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Silo busy", problem.GetProperty("title").GetString());
        Assert.Contains("none of these 5 events was applied", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync($"/api/devices/{Fleet}/refused")).StatusCode);
        output.WriteLine($"refused in {answeredIn.TotalMilliseconds:F1} ms (with the HTTP round trip)");

        admission.Exit(30);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("refused", 0, 5)).StatusCode);
        Assert.Equal(5, (await _host.GetJsonAsync<JsonElement>($"/api/devices/{Fleet}/refused")).GetProperty("counters").GetProperty("accepted").GetInt32());
        Assert.Equal(0, admission.InFlight);
    }

    [Fact]
    public async Task InABurst_EveryBatchIsAppliedWholeOrNotAtAll_AsItsAnswerSays()
    {
        const int Requests = 60, PerRequest = 10;
        var answers = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async r =>
        {
            using var response = await SendAsync($"burst-{r}", 0, PerRequest);
            return response.StatusCode;
        }));

        var wrong = new List<string>();
        for (var r = 0; r < Requests; r++)
        {
            using var device = await _host.Http.GetAsync($"/api/devices/{Fleet}/burst-{r}");
            var accepted = device.IsSuccessStatusCode
                ? (await device.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("counters").GetProperty("accepted").GetInt32()
                : 0;
            var expected = answers[r] == HttpStatusCode.Accepted ? PerRequest : 0;
            if (answers[r] is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable) || accepted != expected)
            {
                wrong.Add($"burst-{r}: answered {(int)answers[r]}, {accepted} events applied");
            }
        }

        output.WriteLine($"{answers.Count(a => a == HttpStatusCode.Accepted)} batches accepted, {answers.Count(a => a == HttpStatusCode.ServiceUnavailable)} refused as busy");
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
        Assert.Contains(HttpStatusCode.Accepted, answers);
        Assert.Equal(0, _host.Services.GetRequiredService<IngestionAdmission>().InFlight);
    }

    private async Task<HttpResponseMessage> SendAsync(string deviceId, int firstSeq, int count)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = string.Join('\n', Enumerable.Range(firstSeq, count).Select(seq =>
            $$"""{"fleetId":"{{Fleet}}","deviceId":"{{deviceId}}","ts":{{ts + seq}},"seq":{{seq}},"values":[1,2]}"""));
        return await _host.Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
    }
}
