using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>Several silo processes sharing a real redis-server read telemetry from Redis Streams; silos die, join and leave, Redis restarts.</summary>
public sealed class RedisStreamsFaultTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task HardKillingASiloInTheMiddle_LosesNothing_AndLeavesNothingPending()
    {
        const string Fleet = "kill";
        const int Devices = 1000, PerDevice = 100;
        var settings = ClusterHarness.RedisCluster(_redis, $"kill-{Guid.NewGuid():N}");
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();

        var producing = ClusterHarness.ProduceAsync(db, Fleet, Devices, PerDevice);
        await ClusterHarness.WaitUntilAsync(async () => (await TotalAcceptedAsync(_silos[0])) >= 20_000, TimeSpan.FromSeconds(120));
        var victim = await _silos[1].GetJsonAsync<SourcesView>("/api/sources");
        await _silos[1].KillAsync();
        var orphaned = victim.Partitions!.Where(p => p.Owner == victim.Silo).Select(p => p.Stream).ToList();
        Assert.NotEmpty(orphaned);
        Assert.True(victim.ThisSilo.Sum(c => c.Accepted) > 0, "the killed silo had not ingested anything yet");

        Assert.Equal(Devices * PerDevice, await producing);
        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(_silos[0], Fleet, Devices, PerDevice, PerDevice - 1);

        // The killed silo never handed its partitions back: survivors took them when its leases expired.
        foreach (var stream in orphaned)
        {
            var log = await ClusterHarness.OwnershipLogAsync(db, stream);
            var fromVictim = log.FindLastIndex(e => e.Owner == victim.Silo);
            Assert.Equal("taken", log[fromVictim].Change);
            Assert.Contains(log.Skip(fromVictim + 1), e => e.Change == "taken" && e.Owner != victim.Silo);
        }
    }

    [Fact]
    public async Task ScalingOutAndIn_DuringIngestion_MovesPartitions_OneOwnerAtATime_LosingAndDoublingNothing()
    {
        const string Fleet = "scale";
        const int Devices = 300, Rounds = 10, PerRound = 10;
        var settings = ClusterHarness.RedisCluster(_redis, $"scale-{Guid.NewGuid():N}");
        settings["Fleet:Sources:RedisStreams:LeaseDuration"] = "00:00:10"; // a busy machine must not lose a lease by a late renewal here
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();

        var producing = Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                await ClusterHarness.ProduceAsync(db, Fleet, Devices, PerRound, firstSeq: round * PerRound);
                await Task.Delay(TimeSpan.FromSeconds(1.5));
            }
        });

        await ClusterHarness.WaitUntilAsync(async () => (await TotalAcceptedAsync(_silos[0])) >= 3 * Devices * PerRound, TimeSpan.FromSeconds(120));
        var joiner = await SiloProcess.StartAsync("silo2", settings);
        _silos.Add(joiner);
        await ClusterHarness.WaitUntilAsync(async () => await OwnedByAsync(joiner) > 0, TimeSpan.FromSeconds(60));
        await _silos[0].StopAsync();
        await producing;

        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(joiner, Fleet, Devices, Rounds * PerRound, (Rounds * PerRound) - 1);
        Assert.True(await OwnedByAsync(joiner) > 0);

        var moves = 0;
        for (var p = 0; p < ClusterHarness.Partitions; p++)
        {
            var stream = StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, p);
            string? owner = null;
            foreach (var (who, change) in await ClusterHarness.OwnershipLogAsync(db, stream))
            {
                if (change == "taken")
                {
                    Assert.True(owner is null, $"{stream} was taken by {who} while {owner} held it");
                    owner = who;
                    moves++;
                }
                else
                {
                    Assert.Equal(owner, who);
                    owner = null;
                }
            }
        }

        Assert.True(moves > ClusterHarness.Partitions, "no partition changed owner");
    }

    [Fact]
    public async Task RestartingRedisUnderTheCluster_IngestionResumes_WithoutLosingAcknowledgedData()
    {
        const string Fleet = "redis-restart";
        const int Devices = 200, PerDevice = 50;
        var settings = ClusterHarness.RedisCluster(_redis, $"restart-{Guid.NewGuid():N}");
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();

        await ClusterHarness.ProduceAsync(db, Fleet, Devices, PerDevice);
        await ClusterHarness.WaitUntilAsync(async () => (await TotalAcceptedAsync(_silos[0])) >= 2000, TimeSpan.FromSeconds(120));
        await _redis.RestartAsync(downFor: TimeSpan.FromSeconds(2));
        await ClusterHarness.ProduceAsync(db, Fleet, Devices, PerDevice, firstSeq: PerDevice);

        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(240), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(_silos[1], Fleet, Devices, 2 * PerDevice, (2 * PerDevice) - 1);
        Assert.All(_silos, s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.Output}"));
    }

    [Fact]
    public async Task PoisonEntriesMixedIntoAPartition_AreDeadLetteredWithReasons_AndEveryValidEventIsApplied()
    {
        const string Fleet = "poison";
        var settings = ClusterHarness.RedisCluster(_redis, $"poison-{Guid.NewGuid():N}");
        _silos.Add(await SiloProcess.StartAsync("silo0", settings));
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stream = StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, StreamPartitioner.PartitionOf(Fleet, "p1", ClusterHarness.Partitions));

        for (var seq = 0; seq < 20; seq++)
        {
            await db.StreamAddAsync(stream, "event", ClusterHarness.Event(Fleet, "p1", seq, ts + seq));
            switch (seq)
            {
                case 3:
                    await db.StreamAddAsync(stream, "event", "this is not json");
                    break;
                case 6:
                    await db.StreamAddAsync(stream, "payload", ClusterHarness.Event(Fleet, "p1", 100, ts));
                    break;
                case 9:
                    await db.StreamAddAsync(stream, "events", $"{ClusterHarness.Event(Fleet, "p2", 0, ts)}\n{{\"fleetId\":\"{Fleet}\",\"deviceId\":\"p2\",\"ts\":{ts},\"seq\":\"one\",\"values\":[1,2,3]}}");
                    break;
                case 12:
                    await db.StreamAddAsync(stream, "event", $"{{\"fleetId\":\"{Fleet}\",\"deviceId\":\"p1\",\"ts\":{ts},\"seq\":500,\"values\":[1,\"x\",3]}}");
                    break;
                case 15:
                    await db.StreamAddAsync(stream, "event", $"{{\"fleetId\":\"{Fleet}\",\"ts\":{ts},\"seq\":501,\"values\":[1,2,3]}}");
                    break;
            }
        }

        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        var p1 = await _silos[0].GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/p1");
        var p2 = await _silos[0].GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/p2");
        Assert.Equal((20L, 19L), (p1.Counters.Accepted, p1.LastSeq));
        Assert.Equal((1L, 0L), (p2.Counters.Accepted, p2.LastSeq));

        var letters = await _silos[0].GetJsonAsync<List<DeadLetterView>>("/api/deadletters?source=redis-streams");
        Assert.Equal(5, letters.Count);
        Assert.All(letters, l => Assert.StartsWith($"{stream}/", l.Position));
        Assert.Contains(letters, l => l.Reason.Contains("Malformed JSON", StringComparison.Ordinal) && l.Payload.Contains("this is not json", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Reason.Contains("no 'event', 'events' or 'batch' field (it has: payload)", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Reason.Contains("seq must be an integer", StringComparison.Ordinal) && l.Position.EndsWith("#1", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Reason.Contains("values", StringComparison.Ordinal) && l.Payload.Contains("\"x\"", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Reason.Contains("deviceId", StringComparison.Ordinal));
        var counters = (await _silos[0].GetJsonAsync<SourcesView>("/api/sources")).Counters.Single(c => c.Source == PartitionConsumer.SourceName);
        Assert.Equal((21L, 5L), (counters.Accepted, counters.DeadLettered));
    }

    [Fact]
    public async Task GrainStateWrittenToRedis_SurvivesAFullClusterRestart()
    {
        var settings = ClusterHarness.RedisCluster(_redis, $"full-restart-{Guid.NewGuid():N}", streams: false);
        var first = await SiloProcess.StartAsync("before", settings);
        _silos.Add(first);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        var body = string.Join('\n', Enumerable.Range(0, 40).Select(seq => ClusterHarness.Event("durable", "r1", seq, ts + seq)));
        var response = await first.Http.PostAsync("/api/telemetry", new StringContent(body, System.Text.Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var before = await first.Http.GetStringAsync("/api/devices/durable/r1");

        // Acknowledged means written: no graceful shutdown needed. A cluster that crashed as a whole starts
        // again as a new deployment (ClusterId) of the same service (ServiceId), which the state belongs to.
        await first.KillAsync();
        settings["Fleet:Cluster:ClusterId"] = $"full-restart-{Guid.NewGuid():N}";
        var second = await SiloProcess.StartAsync("after", settings);
        _silos.Add(second);
        var after = await second.Http.GetStringAsync("/api/devices/durable/r1");

        var (b, a) = (System.Text.Json.JsonDocument.Parse(before).RootElement, System.Text.Json.JsonDocument.Parse(after).RootElement);
        foreach (var field in new[] { "lastSeq", "counters", "features", "threshold", "score", "lastSeen", "windowSize", "featureCount" })
        {
            Assert.Equal(b.GetProperty(field).GetRawText(), a.GetProperty(field).GetRawText());
        }

        var window = await second.GetJsonAsync<System.Text.Json.JsonElement>("/api/devices/durable/r1/telemetry");
        Assert.Equal(40, window.GetProperty("samples").GetArrayLength());
    }

    private static async Task<int> OwnedByAsync(SiloProcess silo)
    {
        var sources = await silo.GetJsonAsync<SourcesView>("/api/sources");
        return sources.Partitions!.Count(p => p.Owner == sources.Silo);
    }

    private static async Task<long> TotalAcceptedAsync(SiloProcess silo) =>
        (await silo.GetJsonAsync<SourcesView>("/api/sources")).Counters.Where(c => c.Source == PartitionConsumer.SourceName).Sum(c => c.Accepted);
}

public sealed record SourcesView(string Silo, IReadOnlyList<SourceCountsView> Counters, IReadOnlyList<SourceCountsView> ThisSilo, IReadOnlyList<PartitionView>? Partitions);

public sealed record SourceCountsView(string Source, long Accepted, long Duplicates, long DeadLettered, long Retried);

public sealed record DeadLetterView(string Id, string Source, string Position, string Reason, string Payload, DateTimeOffset At);

public sealed record PartitionView(int Partition, string Stream, string? Owner, long Length, long? Lag, long Pending);
