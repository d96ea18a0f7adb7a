using FleetGrains.Ingestion.Kafka;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>Silo processes of one Redis cluster share a Kafka topic (librdkafka's mock cluster) as one consumer group; silos die, join and leave.</summary>
public sealed class KafkaFaultTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private KafkaMockCluster _kafka = null!;
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _kafka = KafkaMockCluster.Start(brokers: 3);
        _kafka.CreateTopic(KafkaHarness.Topic, KafkaHarness.Partitions);
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _kafka.Dispose();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task HardKillingASiloInTheMiddle_LosesNothing_DoublesNothing_AndLeavesNothingUncommitted()
    {
        const string Fleet = "kafka-kill";
        const int Devices = 1000, PerDevice = 100;
        var settings = Settings($"kafka-kill-{Guid.NewGuid():N}");
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var producer = KafkaHarness.Producer(_kafka);

        var producing = KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice);
        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(_silos[0]) >= 20_000, TimeSpan.FromSeconds(120));
        var victim = await FirstReaderAsync();
        var view = await victim.GetJsonAsync<KafkaSourcesView>("/api/sources");
        await victim.KillAsync();
        Assert.NotEmpty(view.Kafka!);
        Assert.True(view.ThisSilo.Where(c => c.Source == KafkaSource.SourceName).Sum(c => c.Accepted) > 0, "the killed silo had not ingested anything yet");

        Assert.Equal(Devices * PerDevice, await producing);
        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        var survivor = _silos.First(s => s != victim);
        await ClusterHarness.AssertDevicesAsync(survivor, Fleet, Devices, PerDevice, PerDevice - 1);
        Assert.All(_silos.Where(s => s != victim), s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.Output}"));

        // The killed member never left the group: the survivors read its partitions once its session timed out.
        await WaitAllPartitionsReadAsync(_silos.Where(s => s != victim));
    }

    [Fact]
    public async Task ScalingOutAndIn_DuringIngestion_MovesPartitions_LosingAndDoublingNothing()
    {
        const string Fleet = "kafka-scale";
        const int Devices = 300, Rounds = 10, PerRound = 10;
        var settings = Settings($"kafka-scale-{Guid.NewGuid():N}");
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var producer = KafkaHarness.Producer(_kafka);

        var producing = Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerRound, firstSeq: round * PerRound);
                await Task.Delay(TimeSpan.FromSeconds(1.5));
            }
        });

        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(_silos[0]) >= 3 * Devices * PerRound, TimeSpan.FromSeconds(120));
        var joiner = await SiloProcess.StartAsync("silo2", settings);
        _silos.Add(joiner);
        await ClusterHarness.WaitUntilAsync(async () => (await joiner.GetJsonAsync<KafkaSourcesView>("/api/sources")).Kafka is { Count: > 0 }, TimeSpan.FromSeconds(60));
        await _silos[0].StopAsync();
        await producing;

        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(joiner, Fleet, Devices, Rounds * PerRound, (Rounds * PerRound) - 1);
        await WaitAllPartitionsReadAsync([joiner, _silos[1]]);
    }

    // Every partition read by one of these silos, as their APIs tell (the group may still be moving the partitions of
    // a member that left after its last commit).
    private static Task WaitAllPartitionsReadAsync(IEnumerable<SiloProcess> silos) =>
        ClusterHarness.WaitUntilAsync(
            async () =>
            {
                var read = new List<int>();
                foreach (var silo in silos)
                {
                    read.AddRange((await silo.GetJsonAsync<KafkaSourcesView>("/api/sources")).Kafka!.Select(p => p.Partition));
                }

                return read.Order().SequenceEqual(Enumerable.Range(0, KafkaHarness.Partitions));
            },
            TimeSpan.FromSeconds(60));

    [Fact]
    public async Task WhileTheGrainsStorageIsDown_BatchesAreRetried_TheSilosStayInTheGroup_AndWhenItIsBack_NothingIsLostOrDoubled()
    {
        const string Fleet = "kafka-storage";
        const int Devices = 200, PerDevice = 40;
        var settings = Settings($"kafka-storage-{Guid.NewGuid():N}");
        // A batch retried for longer than this would, without polling the paused partitions meanwhile, make librdkafka
        // leave the group ("maximum poll interval exceeded") and the partitions move in the middle of it.
        settings["Fleet:Sources:Kafka:Properties:max.poll.interval.ms"] = "6000";
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var producer = KafkaHarness.Producer(_kafka);

        await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice / 2);
        await ClusterHarness.WaitUntilAsync(async () => await AcceptedAsync(_silos[0]) >= Devices, TimeSpan.FromSeconds(120));
        // Devices write their state to Redis before they answer: with Redis gone their calls fail and the batches wait
        // (each silo's meter counts the failed events) until it is back.
        await _redis.KillAsync();
        await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice / 2, firstSeq: PerDevice / 2);
        await ClusterHarness.WaitUntilAsync(async () => (await FailedOnTheSilosAsync()) > 0, TimeSpan.FromSeconds(60), () => ClusterHarness.Logs([.. _silos]));
        await Task.Delay(TimeSpan.FromSeconds(10));
        await _redis.StartAsync();

        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(_silos[0], Fleet, Devices, PerDevice, PerDevice - 1);
        Assert.All(_silos, s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.Output}"));
        Assert.All(_silos, s => Assert.DoesNotContain("MaxPollExceeded", s.Output, StringComparison.Ordinal));
    }

    // The Redis cluster of the proof tests, reading Kafka instead of Redis Streams; a member that stops heartbeating
    // loses its partitions after 6 s instead of librdkafka's 45.
    private Dictionary<string, string> Settings(string clusterId)
    {
        var settings = ClusterHarness.RedisCluster(_redis, clusterId, streams: false);
        foreach (var (key, value) in KafkaHarness.Settings(_kafka))
        {
            settings[key] = value;
        }

        settings["Fleet:Sources:Kafka:GroupId"] = KafkaHarness.Group;
        settings["Fleet:Sources:Kafka:Properties:session.timeout.ms"] = "6000";
        settings["Fleet:Sources:Kafka:Properties:heartbeat.interval.ms"] = "1000";
        return settings;
    }

    private async Task<SiloProcess> FirstReaderAsync()
    {
        foreach (var silo in _silos)
        {
            if ((await silo.GetJsonAsync<KafkaSourcesView>("/api/sources")).Kafka is { Count: > 0 })
            {
                return silo;
            }
        }

        throw new InvalidOperationException("No silo reads a Kafka partition.");
    }

    // Events whose device calls failed on the silos, from their own meters (the API's counters live in Redis).
    private async Task<double> FailedOnTheSilosAsync()
    {
        var failed = 0.0;
        foreach (var silo in _silos)
        {
            failed += PrometheusScrape.Samples(await silo.Http.GetStringAsync("/metrics"), "fleet_ingest_events_total")
                .Where(s => s.Labels["source"] == KafkaSource.SourceName && s.Labels["outcome"] == "failed")
                .Sum(s => s.Value);
        }

        return failed;
    }

    private static async Task<long> AcceptedAsync(SiloProcess silo) =>
        (await silo.GetJsonAsync<KafkaSourcesView>("/api/sources")).Counters.Where(c => c.Source == KafkaSource.SourceName).Sum(c => c.Accepted);
}
