using System.Text.RegularExpressions;
using Confluent.Kafka;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.Ingestion.Tests.Fuzz;
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

    [Fact]
    public async Task GeneratedHostileMessages_NeverStopAPartition_AndEveryValidEventIsApplied()
    {
        const int Batches = 60;
        var silo = await SiloProcess.StartAsync("silo0", KafkaHarness.Settings(_kafka));
        _silos.Add(silo);
        using var producer = KafkaHarness.Producer(_kafka);
        var valid = new List<string>();
        var binary = new Headers { { KafkaMessages.ContentTypeHeader, System.Text.Encoding.UTF8.GetBytes(FleetGrains.Ingestion.Binary.BinaryBatchDecoder.ContentType) } };
        for (var i = 0; i < Batches; i++)
        {
            // NDJSON of three valid events and a hostile one; a hostile event alone, then a valid one, on one device's
            // key; bytes that claim to be a binary batch; all spread over the partitions by key.
            var body = new HostileTelemetry(40_000 + i).NextBody(validEvents: 3, hostileEvents: 1, ndjson: true, prefix: $"k{i}");
            valid.AddRange(body.ValidDevices);
            await producer.ProduceAsync(KafkaHarness.Topic, new Message<string, byte[]?> { Key = $"batch{i}", Value = body.Bytes });
            var device = $"h{i}";
            await producer.ProduceAsync(KafkaHarness.Topic, new Message<string, byte[]?> { Key = device, Value = new HostileTelemetry(50_000 + i).NextEvent(device, HostileTelemetry.Now).Bytes });
            await producer.ProduceAsync(KafkaHarness.Topic, KafkaHarness.Json(device, HostileTelemetry.ValidEvent(HostileTelemetry.Fleet, device, 1, HostileTelemetry.Now)));
            var garbage = new byte[1 + (i * 37 % 300)];
            new Random(i).NextBytes(garbage);
            await producer.ProduceAsync(KafkaHarness.Topic, new Message<string, byte[]?> { Key = device, Value = garbage, Headers = binary });
            valid.Add(device);
        }

        await KafkaHarness.WaitCommittedAsync(_kafka, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        foreach (var device in valid)
        {
            var view = await silo.GetJsonAsync<DeviceView>($"/api/devices/{HostileTelemetry.Fleet}/{device}");
            Assert.True(view.Counters.Accepted >= 1, $"{device}: nothing accepted");
        }

        Assert.False(silo.HasExited, silo.Output);
        Assert.True(silo.PeakWorkingSet < 1L << 30, $"the silo's peak working set was {silo.PeakWorkingSet >> 20} MiB");
    }
}
