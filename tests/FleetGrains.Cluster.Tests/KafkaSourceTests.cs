using System.Text.RegularExpressions;
using Confluent.Kafka;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>A silo process reads a topic of librdkafka's mock Kafka cluster (real Kafka protocol, in this process).</summary>
public sealed class KafkaSourceTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private KafkaMockCluster _kafka = null!;

    public Task InitializeAsync()
    {
        _kafka = KafkaMockCluster.Start(brokers: 3);
        _kafka.CreateTopic(KafkaHarness.Topic, KafkaHarness.Partitions);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _kafka.Dispose();
    }

    [Fact]
    public async Task EveryEventOfEveryFormatIsApplied_OffsetsAreCommittedAfterwards_AndPoisonIsDeadLetteredWithItsPosition()
    {
        const string Fleet = "kafka";
        const int Devices = 200, PerDevice = 20;
        var silo = await SiloProcess.StartAsync("silo0", KafkaHarness.Settings(_kafka));
        _silos.Add(silo);
        using var producer = KafkaHarness.Producer(_kafka);

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var notJson = await producer.ProduceAsync(KafkaHarness.Topic, KafkaHarness.Json("p1", "this is not json"));
        var tombstone = await producer.ProduceAsync(KafkaHarness.Topic, new Message<string, byte[]?> { Key = "p1", Value = null });
        var badEvent = await producer.ProduceAsync(KafkaHarness.Topic, KafkaHarness.Json(
            "p1", $"{ClusterHarness.Event(Fleet, "p1", 0, ts)}\n{{\"fleetId\":\"{Fleet}\",\"deviceId\":\"p1\",\"ts\":{ts},\"seq\":\"one\",\"values\":[1,2,3]}}"));
        Assert.Equal(Devices * PerDevice, await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice));

        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, PerDevice, PerDevice - 1);
        var p1 = await silo.GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/p1");
        Assert.Equal((1L, 0L), (p1.Counters.Accepted, p1.LastSeq));

        var letters = await silo.GetJsonAsync<List<DeadLetterView>>($"/api/deadletters?source={KafkaSource.SourceName}");
        Assert.Equal(3, letters.Count);
        Assert.All(letters, l => Assert.Matches(new Regex($"^{KafkaHarness.Topic}/[0-9]+@[0-9]+(#[0-9]+)?$"), l.Position));
        Assert.Contains(letters, l => l.Position == KafkaMessages.Position(notJson.TopicPartitionOffset) && l.Reason.Contains("JSON", StringComparison.Ordinal) && l.Payload == "this is not json");
        Assert.Contains(letters, l => l.Position == KafkaMessages.Position(tombstone.TopicPartitionOffset) && l.Reason.Contains("tombstone", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Position == $"{KafkaMessages.Position(badEvent.TopicPartitionOffset)}#1" && l.Reason.Contains("seq must be an integer", StringComparison.Ordinal));

        var counters = (await silo.GetJsonAsync<KafkaSourcesView>("/api/sources")).Counters.Single(c => c.Source == KafkaSource.SourceName);
        Assert.Equal(((long)(Devices * PerDevice) + 1, 3L), (counters.Accepted, counters.DeadLettered));
        await ClusterHarness.WaitUntilAsync(
            async () => (await silo.GetJsonAsync<KafkaSourcesView>("/api/sources")).Kafka is { Count: KafkaHarness.Partitions } partitions && partitions.All(p => p.Lag == 0),
            TimeSpan.FromSeconds(30));
        var metrics = await silo.Http.GetStringAsync("/metrics");
        Assert.Matches(new Regex("fleet_source_lag\\{[^}]*source=\"kafka\"[^}]*\\} 0"), metrics);
    }

    [Fact]
    public async Task AllBrokersGoingDownAndComingBack_TheSiloCarriesOn_WithoutARestart_LosingAndDoublingNothing()
    {
        const string Fleet = "kafka-outage";
        const int Devices = 100, PerDevice = 20;
        var silo = await SiloProcess.StartAsync("silo0", KafkaHarness.Settings(_kafka));
        _silos.Add(silo);
        using var producer = KafkaHarness.Producer(_kafka);

        await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice);
        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        _kafka.SetAllBrokers(up: false);
        await Task.Delay(TimeSpan.FromSeconds(3));
        _kafka.SetAllBrokers(up: true);
        await KafkaHarness.ProduceAsync(producer, Fleet, Devices, PerDevice, firstSeq: PerDevice);

        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, 2 * PerDevice, (2 * PerDevice) - 1);
        Assert.False(silo.HasExited, silo.Output);
    }
}
