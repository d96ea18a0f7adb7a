using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// Sends a workload to a silo process over HTTP (<c>POST /api/telemetry</c>, NDJSON) from this process, with a fixed
/// number of requests in flight; each sender owns a share of the batches and sends them in round order, so that a
/// device's events arrive in seq order. Every answer must be 202 with every event of the batch accepted.
/// </summary>
public static class HttpIngestDriver
{
    private static readonly TimeSpan BusyPause = TimeSpan.FromMilliseconds(10);

    public static async Task<IngestRun> RunAsync(string mode, SiloProcess silo, IngestWorkload workload, int connections, TimeSpan? maxDuration)
    {
        using var http = Client(silo, connections);
        await WarmUpAsync(http, workload, connections);

        var bodies = workload.MeasuredBodies();
        GC.Collect();
        var accepted = 0L;
        var serverCpu = silo.ProcessorTime;
        var serverGc = await silo.GcCountersAsync();
        var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan elapsed;
        IReadOnlyList<(double, long)> progress;
        await using (var recorder = new ProgressRecorder(() => Task.FromResult(Interlocked.Read(ref accepted)), TimeSpan.FromMilliseconds(250)))
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async sender =>
            {
                for (var round = 0; round < workload.Rounds; round++)
                {
                    for (var group = sender; group < workload.Groups; group += connections)
                    {
                        if (recorder.Elapsed > maxDuration)
                        {
                            return;
                        }

                        var expected = workload.DevicesOf(group).Count() * workload.BatchEventsPerDevice;
                        Interlocked.Add(ref accepted, await PostAsync(http, bodies[round][group], expected, workload.ContentType));
                    }
                }
            }));
            elapsed = recorder.Elapsed;
            progress = recorder.Samples;
        }

        var gc = await silo.GcCountersAsync() - serverGc;
        return new IngestRun(
            mode, accepted, elapsed, silo.ProcessorTime - serverCpu, Process.GetCurrentProcess().TotalProcessorTime - driverCpu, [.. progress, (elapsed.TotalSeconds, accepted)], gc,
            await silo.RowsRefusedForScoringAsync());
    }

    /// <summary>A client for the silo's API with at most <paramref name="connections"/> connections.</summary>
    public static HttpClient Client(SiloProcess silo, int connections)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = silo.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add(SiloProcess.ApiKeyHeader, SiloProcess.AdminKey);
        return http;
    }

    /// <summary>Sends every device's warm-up event, so that all its grains are active.</summary>
    public static Task WarmUpAsync(HttpClient http, IngestWorkload workload, int connections) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, workload.Groups),
            new ParallelOptions { MaxDegreeOfParallelism = connections },
            async (group, _) => await PostAsync(http, workload.WarmupBody(group), workload.DevicesOf(group).Count(), workload.ContentType));

    /// <summary>
    /// Posts one body; it must be answered 202 with <paramref name="expected"/> events accepted. A 503 "Silo busy"
    /// (admission control: nothing applied) is sent again after a short pause, as a client at full speed would.
    /// </summary>
    public static async Task<int> PostAsync(HttpClient http, byte[] body, int expected, string contentType = "application/x-ndjson")
    {
        while (!await TryPostAsync(http, body, expected, contentType))
        {
            await Task.Delay(BusyPause);
        }

        return expected;
    }

    /// <summary>
    /// Posts one body once: true when it was answered 202 with <paramref name="expected"/> events accepted, false
    /// when it was answered 503 "Silo busy" (admission control: nothing applied); any other answer throws.
    /// </summary>
    public static async Task<bool> TryPostAsync(HttpClient http, byte[] body, int expected, string contentType = "application/x-ndjson")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync("/api/telemetry", content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && text.Contains("\"Silo busy\"", StringComparison.Ordinal))
        {
            return false;
        }

        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/telemetry answered {(int)response.StatusCode}: {text}");
        }

        using var report = JsonDocument.Parse(text);
        var accepted = report.RootElement.GetProperty("accepted").GetInt32();
        return accepted == expected
            ? true
            : throw new InvalidOperationException($"POST /api/telemetry accepted {accepted} of {expected} events: {text}");
    }
}
