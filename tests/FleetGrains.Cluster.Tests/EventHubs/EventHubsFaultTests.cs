using FleetGrains.Ingestion.EventHubs;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>Silo processes of one Redis cluster share an Event Hub's partitions as one consumer group; silos die, join and leave.</summary>
public sealed class EventHubsFaultTests() : EventHubsSiloTests(partitions: 8)
{
    [Fact]
    public async Task HardKillingASiloInTheMiddle_LosesNothing_DoublesNothing_AndLeavesNothingUncheckpointed()
    {
        const string Fleet = "eventhubs-kill";
        const int Devices = 1000, PerDevice = 100;
        var settings = Settings($"eventhubs-kill-{Guid.NewGuid():N}");
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await WaitAllPartitionsReadAsync(Silos);
        await using var producer = EventHubsHarness.Producer(Hub);

        var producing = EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice);
        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(Silos[0]) >= 20_000, TimeSpan.FromSeconds(120));
        var victim = Silos[1];
        var view = await victim.GetJsonAsync<EventHubsSourcesView>("/api/sources");
        await victim.KillAsync();
        Assert.NotEmpty(view.EventHubs!);
        Assert.True(view.ThisSilo.Where(c => c.Source == EventHubsSource.SourceName).Sum(c => c.Accepted) > 0, "the killed silo had not ingested anything yet");

        Assert.Equal(Devices * PerDevice, await producing);
        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. Silos]));
        var survivor = Silos[0];
        await ClusterHarness.AssertDevicesAsync(survivor, Fleet, Devices, PerDevice, PerDevice - 1);
        Assert.All(Silos.Where(s => s != victim), s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.Output}"));

        // The killed silo never gave its partitions up: the survivors took them once its ownership expired.
        await WaitAllPartitionsReadAsync(Silos.Where(s => s != victim));
    }

    [Fact]
    public async Task ScalingOutAndIn_DuringIngestion_MovesPartitions_LosingAndDoublingNothing()
    {
        const string Fleet = "eventhubs-scale";
        const int Devices = 300, Rounds = 10, PerRound = 10;
        var settings = Settings($"eventhubs-scale-{Guid.NewGuid():N}");
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await using var producer = EventHubsHarness.Producer(Hub);

        var producing = Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerRound, firstSeq: round * PerRound);
                await Task.Delay(TimeSpan.FromSeconds(1.5));
            }
        });

        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(Silos[0]) >= 3 * Devices * PerRound, TimeSpan.FromSeconds(120));
        var joiner = await SiloProcess.StartAsync("silo2", settings);
        Silos.Add(joiner);
        await ClusterHarness.WaitUntilAsync(async () => (await joiner.GetJsonAsync<EventHubsSourcesView>("/api/sources")).EventHubs is { Count: > 0 }, TimeSpan.FromSeconds(60));
        await Silos[0].StopAsync();
        await producing;

        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. Silos]));
        await ClusterHarness.AssertDevicesAsync(joiner, Fleet, Devices, Rounds * PerRound, (Rounds * PerRound) - 1);
        await WaitAllPartitionsReadAsync([joiner, Silos[1]]);
    }

    [Fact]
    public async Task WhileRedisIsDown_NeitherGrainsNorCheckpointsCanBeWritten_AndWhenItIsBack_NothingIsLostOrDoubled()
    {
        const string Fleet = "eventhubs-storage";
        const int Devices = 200, PerDevice = 40;
        var settings = Settings($"eventhubs-storage-{Guid.NewGuid():N}");
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await using var producer = EventHubsHarness.Producer(Hub);

        await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice / 2);
        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(Silos[0]) >= Devices, TimeSpan.FromSeconds(120));
        // Redis holds the devices' state, the checkpoints and the ownership records: device calls fail, batches wait,
        // checkpoints and ownership renewals fail until it is back.
        await Redis.KillAsync();
        await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice / 2, firstSeq: PerDevice / 2);
        await ClusterHarness.WaitUntilAsync(async () => (await FailedOnTheSilosAsync()) > 0, TimeSpan.FromSeconds(60), () => ClusterHarness.Logs([.. Silos]));
        await Redis.StartAsync();

        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. Silos]));
        await ClusterHarness.AssertDevicesAsync(Silos[0], Fleet, Devices, PerDevice, PerDevice - 1);
        Assert.All(Silos, s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.Output}"));
        await WaitAllPartitionsReadAsync(Silos);
    }

    // Events whose device calls failed on the silos, from their own meters (the API's counters live in Redis).
    private async Task<double> FailedOnTheSilosAsync()
    {
        var failed = 0.0;
        foreach (var silo in Silos)
        {
            failed += PrometheusScrape.Samples(await silo.Http.GetStringAsync("/metrics"), "fleet_ingest_events_total")
                .Where(s => s.Labels["source"] == EventHubsSource.SourceName && s.Labels["outcome"] == "failed")
                .Sum(s => s.Value);
        }

        return failed;
    }

    // Every partition read by exactly one of these silos, as their APIs tell.
    private Task WaitAllPartitionsReadAsync(IEnumerable<SiloProcess> silos) =>
        ClusterHarness.WaitUntilAsync(
            async () =>
            {
                var read = new List<int>();
                foreach (var silo in silos)
                {
                    read.AddRange((await silo.GetJsonAsync<EventHubsSourcesView>("/api/sources")).EventHubs!.Select(p => int.Parse(p.Partition)));
                }

                return read.Order().SequenceEqual(Enumerable.Range(0, Partitions));
            },
            TimeSpan.FromSeconds(60));

    // The Redis cluster of the proof tests, reading the Event Hub instead of Redis Streams.
    private Dictionary<string, string> Settings(string clusterId)
    {
        var settings = ClusterHarness.RedisCluster(Redis, clusterId, streams: false);
        foreach (var (key, value) in EventHubsHarness.Settings(Hub, Redis))
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<long> AcceptedAsync(SiloProcess silo) =>
        (await silo.GetJsonAsync<EventHubsSourcesView>("/api/sources")).Counters.Where(c => c.Source == EventHubsSource.SourceName).Sum(c => c.Accepted);
}
