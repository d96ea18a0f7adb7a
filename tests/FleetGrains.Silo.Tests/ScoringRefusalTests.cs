using System.Globalization;
using System.Net;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Tests;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// Rows a full scoring queue refuses are samples applied but not scored: each is counted on <c>/metrics</c>
/// (<c>fleet_inference_refused_total</c>, the batcher's refusals as well as a model host's) and as a scoring failure
/// of its device, so that a load test or an operator sees that the scores are missing. Not run beside other tests:
/// the metrics exporter reads every meter of its name in the process, so another test's silo could add to the count.
/// </summary>
[Collection(Name)]
public sealed class ScoringRefusalTests : IDisposable
{
    public const string Name = "scoring refusals, alone";
    private const string Fleet = "tight";
    private const int Devices = 200;
    private static readonly ModelRef Model = new("test-ae", 1);

    private readonly TestModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task RowsAFullBatcherRefuses_AreCountedOnMetrics_AndAsTheirDevicesScoringFailures()
    {
        _models.WriteAutoencoder(Model, seed: 1); // reads windows of 2 samples × 3 features
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Inference:ModelDirectory"] = _models.ModelDirectory,
            [$"Fleet:Models:Fleets:{Fleet}:Anomaly"] = Model.Key,
            ["Fleet:Inference:MaxRunRows"] = "2",
            ["Fleet:Inference:MaxQueuedRows"] = "2",
            ["Fleet:Inference:BatchMaxRows"] = "4",
            ["Fleet:Inference:BatchMaxDelay"] = "00:00:01",
        });

        // 3 samples per device: 2 scored rows each (the window is full from the second), all devices at once. The
        // first device's 2 rows fill the batcher's queue and wait there for the batch delay (a batch is due at 4
        // rows or after 1 s), so the devices that come within that second are refused, whatever the timing.
        var rows = TestModels.Rows(3, seed: 7);
        var events = Enumerable.Range(0, Devices).SelectMany(d => rows.Select((values, seq) => Telemetry.Event(Fleet, $"d{d}", seq, values)));
        var before = RefusedRows(await host.Http.GetStringAsync("/metrics"));
        var response = await host.Http.PostAsync("/api/telemetry", Telemetry.Ndjson(events));
        var snapshots = await Task.WhenAll(Enumerable.Range(0, Devices).Select(d => host.GetJsonAsync<DeviceSnapshot>($"/api/devices/{Fleet}/d{d}")));
        var refused = RefusedRows(await host.Http.GetStringAsync("/metrics")) - before;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.All(snapshots, s => Assert.Equal(3, s.Counters.Accepted));
        var failed = snapshots.Where(s => s.Scoring.Failures > 0).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, s => Assert.Contains("rows for test-ae@1", s.Scoring.LastError));
        Assert.Equal(2 * failed.Count, refused);
        Assert.All(snapshots.Except(failed), s => Assert.Equal(2, s.Counters.Scored));
    }

    private static double RefusedRows(string scrape) =>
        scrape.Split('\n')
            .Where(line => line.StartsWith("fleet_inference_refused", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}

[CollectionDefinition(ScoringRefusalTests.Name, DisableParallelization = true)]
public sealed class ScoringRefusalCollection;
