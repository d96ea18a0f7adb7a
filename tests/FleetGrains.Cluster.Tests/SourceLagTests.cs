using FleetGrains.Ingestion;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.LocalServers;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// When the grains fall behind, the backlog waits in Redis, and the lag of every partition is on <c>/metrics</c>
/// (what autoscaling follows). The scrape is checked here, one silo per process as in production: hosts sharing
/// a test process would also share the process-wide meter listeners.
/// </summary>
public sealed class SourceLagTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ReadCount = 2;
    private RedisServer _redis = null!;
    private SiloProcess? _silo;

    public async Task InitializeAsync() => _redis = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ABacklog_IsReadAFewEntriesAtATime_ItsLagIsExportedPerPartition_AndFallsToZeroWhenDrained_WithEveryEventCounted()
    {
        const string Fleet = "lag";
        const int Devices = 1000, PerDevice = 60;
        var settings = ClusterHarness.RedisCluster(_redis, $"lag-{Guid.NewGuid():N}");
        settings["Fleet:Sources:RedisStreams:ReadCount"] = ReadCount.ToString(); // reading is far slower than producing
        _silo = await SiloProcess.StartAsync("silo0", settings);
        await ClusterHarness.WaitUntilAsync(async () => (await SourcesAsync()).Partitions!.All(p => p.Owner is not null), TimeSpan.FromSeconds(60));
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();

        var produced = await ClusterHarness.ProduceAsync(db, Fleet, Devices, PerDevice);

        // The backlog stays in Redis: the silo holds at most ReadCount unacknowledged entries per partition, and
        // the exported lag of every partition shows the rest.
        var peak = 0.0;
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            var pending = (await SourcesAsync()).Partitions!.Max(p => p.Pending);
            Assert.True(pending <= ReadCount, $"a partition had {pending} entries in flight (read count {ReadCount})");
            var lag = await LagAsync();
            peak = Math.Max(peak, lag.Values.Sum());
            return lag.Count == ClusterHarness.Partitions && lag.Values.All(l => l > 0) && lag.Values.Sum() >= 1000;
        }, TimeSpan.FromSeconds(60));

        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs(_silo));
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            var lag = await LagAsync();
            return lag.Count == ClusterHarness.Partitions && lag.Values.All(l => l == 0);
        }, TimeSpan.FromSeconds(30));
        output.WriteLine($"{produced} events produced; highest exported lag {peak} entries");
        Assert.InRange(peak, 1000, produced);
        await ClusterHarness.AssertDevicesAsync(_silo, Fleet, Devices, PerDevice, PerDevice - 1);
        var accepted = PrometheusScrape.Samples(await _silo.Http.GetStringAsync("/metrics"), "fleet_ingest_events_total")
            .Single(s => s.Labels["source"] == PartitionConsumer.SourceName && s.Labels["outcome"] == "accepted");
        Assert.Equal(produced, accepted.Value);
    }

    private async Task<SourcesView> SourcesAsync() => await _silo!.GetJsonAsync<SourcesView>("/api/sources");

    // The fleet-source-lag gauge of the Redis Streams source, by partition.
    private async Task<Dictionary<int, double>> LagAsync()
    {
        var samples = PrometheusScrape.Samples(await _silo!.Http.GetStringAsync("/metrics"), IngestionMetrics.LagGauge.Replace('-', '_'));
        return samples
            .Where(s => s.Labels.GetValueOrDefault("source") == PartitionConsumer.SourceName)
            .ToDictionary(s => int.Parse(s.Labels["partition"]), s => s.Value);
    }
}
