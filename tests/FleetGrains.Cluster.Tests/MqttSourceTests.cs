using FleetGrains.Ingestion.Mqtt;
using FleetGrains.LocalServers;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetGrains.Cluster.Tests;

/// <summary>Two silo processes share one MQTT subscription on a real mosquitto.</summary>
public sealed class MqttSourceTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private RedisServer _redis = null!;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _broker = await MosquittoBroker.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _broker.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task TenThousandMessagesFromManyPublishers_AtQos1_AreEachAppliedExactlyOnce_AcrossTwoSilos()
    {
        const string Fleet = "mqtt";
        const int Publishers = 20, DevicesPerPublisher = 5, PerDevice = 100;
        const int Devices = Publishers * DevicesPerPublisher;
        var settings = ClusterHarness.RedisCluster(_redis, $"mqtt-{Guid.NewGuid():N}", streams: false);
        settings["Fleet:Sources:Mqtt:Enabled"] = "true";
        settings["Fleet:Sources:Mqtt:Host"] = "127.0.0.1";
        settings["Fleet:Sources:Mqtt:Port"] = _broker.Port.ToString();
        _silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await Task.Delay(TimeSpan.FromSeconds(1)); // both subscriptions in place before the first message

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (10L * PerDevice);
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => PublishAsync(p, ts)));

        async Task PublishAsync(int publisher, long start)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId($"publisher-{publisher}").Build());
            for (var seq = 0; seq < PerDevice; seq++)
            {
                for (var d = 0; d < DevicesPerPublisher; d++)
                {
                    var device = ClusterHarness.Device((publisher * DevicesPerPublisher) + d);
                    // Half the messages leave the ids to the topic, half repeat them.
                    var payload = d % 2 == 0
                        ? ClusterHarness.Event(Fleet, device, seq, start + seq)
                        : $$"""{"ts":{{start + seq}},"seq":{{seq}},"values":[1,2,3]}""";
                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic(MqttTopic.For(Fleet, device))
                        .WithPayload(payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build();
                    var result = await client.PublishAsync(message);
                    Assert.True(result.IsSuccess, $"publish failed: {result.ReasonCode}");
                }
            }

            await client.DisconnectAsync();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        SourcesView sources;
        do
        {
            await Task.Delay(250);
            sources = await _silos[0].GetJsonAsync<SourcesView>("/api/sources");
        }
        while (Accepted(sources.Counters) < Devices * PerDevice && DateTime.UtcNow < deadline);

        Assert.Equal(Devices * PerDevice, Accepted(sources.Counters));
        await ClusterHarness.AssertDevicesAsync(_silos[0], Fleet, Devices, PerDevice, PerDevice - 1);
        foreach (var silo in _silos)
        {
            var own = await silo.GetJsonAsync<SourcesView>("/api/sources");
            Assert.True(Accepted(own.ThisSilo) > 0, $"{silo.Name} received no messages: the subscription is not shared");
        }

        Assert.Empty(await _silos[0].GetJsonAsync<List<DeadLetterView>>("/api/deadletters?source=mqtt"));
    }

    private static long Accepted(IReadOnlyList<SourceCountsView> counters) =>
        counters.Where(c => c.Source == MqttSource.SourceName).Sum(c => c.Accepted);
}
