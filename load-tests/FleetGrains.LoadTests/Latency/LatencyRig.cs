using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.LoadTests.Ingest;
using FleetGrains.LoadTests.Tracing;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// What the latency and overload runs share: a silo process whose closed-loop ingest maximum was measured first with
/// the batch shape of the load (on devices of their own), a fleet of warmed-up devices, the bodies of the load in
/// seq order, and the operators' queries. The load runs unmeasured for <see cref="LatencyShape.Settle"/> first: the
/// silo has just activated every device, and the collections that promote their new state to the old generation
/// are the activation storm's cost (the density run's subject), not the sustained load's.
/// </summary>
internal sealed class LatencyRig : IAsyncDisposable
{
    public const string Fleet = "latency";

    private readonly LatencyShape _shape;
    private readonly Random _random = new(7);

    private LatencyRig(LatencyShape shape, SiloProcess silo, SiloTrace? trace, HttpClient http, IngestRun maximum, IngestWorkload workload, double batchesPerSecond, int batches)
    {
        _shape = shape;
        Silo = silo;
        Trace = trace;
        Http = http;
        Maximum = maximum;
        Workload = workload;
        BatchesPerSecond = batchesPerSecond;
        Bodies = [.. Enumerable.Range(0, batches).Select(i => workload.Body(i / workload.Groups, i % workload.Groups))];
        Expected = [.. Enumerable.Range(0, batches).Select(i => workload.DevicesOf(i % workload.Groups).Count() * shape.PerBatch)];
    }

    public SiloProcess Silo { get; }

    public SiloTrace? Trace { get; }

    public HttpClient Http { get; }

    public IngestRun Maximum { get; }

    public IngestWorkload Workload { get; }

    public double EventsPerSecond => BatchesPerSecond * _shape.BatchEvents;

    public double BatchesPerSecond { get; }

    /// <summary>The load's bodies in the order they are due (seq order per device), settling ones first.</summary>
    public byte[][] Bodies { get; }

    /// <summary>The events of each body.</summary>
    public int[] Expected { get; }

    /// <summary>The bodies sent while settling; the measured load starts with the next.</summary>
    public int SettleBatches => (int)(_shape.Settle.TotalSeconds * BatchesPerSecond);

    public static async Task<LatencyRig> StartAsync(string run, LatencyShape shape, string? traceDirectory, TextWriter progress)
    {
        var settings = IngestScenario.Settings(shape.Model, shape.Window, naive: false, Fleet);
        settings[$"Fleet:Models:Fleets:{Fleet}-max:Anomaly"] = shape.Model.Key;
        var trace = SiloTrace.In(traceDirectory, run);
        var silo = await SiloProcess.StartAsync(run, settings, trace?.Environment);
        var http = HttpIngestDriver.Client(silo, 1000);
        try
        {
            var maxWorkload = new IngestWorkload($"{Fleet}-max", shape.Devices, shape.Features, 40 * shape.PerBatch, shape.PerBatch, shape.BatchDevices);
            var max = await HttpIngestDriver.RunAsync("maximum", silo, maxWorkload, shape.Connections, shape.Duration / 2);
            var batchesPerSecond = shape.Load * max.EventsPerSecond / shape.BatchEvents;
            var batches = (int)((shape.Settle + shape.Duration).TotalSeconds * batchesPerSecond);
            var rounds = (batches / Math.Max(1, shape.Devices / shape.BatchDevices)) + 1;
            var workload = new IngestWorkload(Fleet, shape.Devices, shape.Features, shape.PerBatch * Math.Max(1, rounds), shape.PerBatch, shape.BatchDevices);
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{run}: maximum {max.EventsPerSecond:0} events/s; offering {shape.Load * max.EventsPerSecond:0} events/s ({batchesPerSecond:0.0} batches of {shape.BatchEvents}), {shape.Settle.TotalSeconds} s to settle, then {shape.Duration.TotalSeconds} s measured"));
            await HttpIngestDriver.WarmUpAsync(http, workload, shape.Connections);
            var rig = new LatencyRig(shape, silo, trace, http, max, workload, batchesPerSecond, batches);
            await rig.WaitForRollupAsync();
            return rig;
        }
        catch
        {
            http.Dispose();
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The load of <see cref="LatencyShape.Settle"/>, unmeasured: each body sent once, answered 202 or 503 busy (not sent
    /// again); <paramref name="accepted"/>, when given, records which were applied.
    /// </summary>
    public Task SettleAsync(bool[]? accepted = null) =>
        OpenLoop.RunByOutcomeAsync(BatchesPerSecond, _shape.Settle, async i =>
        {
            var applied = await HttpIngestDriver.TryPostAsync(Http, Bodies[i], Expected[i]);
            if (accepted is not null)
            {
                accepted[i] = applied;
            }

            return applied;
        });

    /// <summary><c>GET /api/devices/{fleet}/{device}</c> of random devices at <see cref="LatencyShape.DeviceQueries"/> per second.</summary>
    public Task<LatencyHistogram> QueryDevicesAsync(LatencyTimeline timeline) =>
        OpenLoop.RunAsync(_shape.DeviceQueries, _shape.Duration, async _ =>
        {
            int d;
            lock (_random)
            {
                d = _random.Next(_shape.Devices);
            }

            using var response = await Http.GetAsync($"/api/devices/{Fleet}/{IngestWorkload.DeviceId(d)}");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }, timeline);

    /// <summary><c>GET /api/fleets/{fleet}</c> at <see cref="LatencyShape.FleetQueries"/> per second; each answer's device count is handed to <paramref name="counted"/>.</summary>
    public Task<LatencyHistogram> QueryFleetAsync(Action<int> counted) =>
        OpenLoop.RunAsync(_shape.FleetQueries, _shape.Duration, async _ => counted(await FleetDeviceCountAsync()));

    /// <summary>The devices the fleet rollup counts: <c>GET /api/fleets/{fleet}</c>, as an operator reads it.</summary>
    public async Task<int> FleetDeviceCountAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>($"/api/fleets/{Fleet}")).GetProperty("deviceCount").GetInt32();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Silo.DisposeAsync();
    }

    private async Task WaitForRollupAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await CountedSoFarAsync() < _shape.Devices)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The rollup of {Fleet} did not count its {_shape.Devices} devices within 60 s.");
            }

            await Task.Delay(100);
        }
    }

    // The fleet is unknown (404) until its first shard has reported to its rollup.
    private async Task<int> CountedSoFarAsync()
    {
        using var response = await Http.GetAsync($"/api/fleets/{Fleet}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deviceCount").GetInt32();
    }
}

/// <summary>The load of a latency or overload run, from its options.</summary>
internal sealed record LatencyShape(
    int Devices, TimeSpan Duration, TimeSpan Settle, double Load, int PerBatch, int BatchDevices, int Features, Abstractions.ModelRef Model, int Window,
    int Connections, double DeviceQueries, double FleetQueries)
{
    public const string Usage = """
        [--devices 20000] [--seconds S] [--settle 10] [--load L] [--per-batch 2] [--batch-devices 50] [--features 38]
                [--model smd-machine-1-2-autoencoder@1] [--window 32] [--connections 8] [--device-queries 200] [--fleet-queries 20]
        """;

    public static readonly string[] Options =
        ["devices", "seconds", "settle", "load", "per-batch", "batch-devices", "features", "model", "window", "connections", "device-queries", "fleet-queries", "trace"];

    public int BatchEvents => BatchDevices * PerBatch;

    public static LatencyShape From(ScenarioArguments arguments, double seconds, double load) => new(
        arguments.PositiveInt("devices", arguments.Quick ? 5_000 : 20_000),
        TimeSpan.FromSeconds(arguments.PositiveNumber("seconds", arguments.Quick ? 8 : seconds)),
        TimeSpan.FromSeconds(arguments.PositiveNumber("settle", arguments.Quick ? 2 : 10)),
        arguments.PositiveNumber("load", load),
        arguments.PositiveInt("per-batch", 2),
        arguments.PositiveInt("batch-devices", 50),
        arguments.PositiveInt("features", 38),
        arguments.AnomalyModel(),
        arguments.PositiveInt("window", 32),
        arguments.PositiveInt("connections", 8),
        arguments.PositiveNumber("device-queries", 200),
        arguments.PositiveNumber("fleet-queries", 20));
}
