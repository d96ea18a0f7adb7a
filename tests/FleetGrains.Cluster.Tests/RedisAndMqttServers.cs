using FleetGrains.Ingestion.Mqtt;
using FleetGrains.LocalServers;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetGrains.Cluster.Tests;

/// <summary>A private redis-server and mosquitto for each test, the silos it starts, and publishing to the broker.</summary>
public abstract class RedisAndMqttServers : IAsyncLifetime
{
    protected List<SiloProcess> Silos { get; } = [];

    protected RedisServer Redis { get; private set; } = null!;

    protected MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        Broker = await MosquittoBroker.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        await Broker.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>Publishes the messages at QoS 1 through one client, in order, each on its device's topic.</summary>
    protected async Task PublishAsync(string fleetId, IEnumerable<(string Device, byte[] Payload)> messages)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Broker.Port).WithClientId($"publisher-{Guid.NewGuid():N}").Build());
        foreach (var (device, payload) in messages)
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(MqttTopic.For(fleetId, device))
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await client.PublishAsync(message);
            Assert.True(result.IsSuccess, $"publish failed: {result.ReasonCode}");
        }

        await client.DisconnectAsync();
    }
}
