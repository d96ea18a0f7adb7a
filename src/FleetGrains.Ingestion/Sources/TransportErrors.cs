using System.Net.Sockets;
using MQTTnet.Exceptions;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// Tells the failures of what carries the data (Redis, the MQTT broker, the network) from everything else, by
/// type. A source retries the first without limit — no entry is at fault when Redis restarts — and counts
/// anything else as a failed attempt of the entries in hand, which end as dead letters after
/// <see cref="SourcesOptions.MaxAttempts"/>.
/// </summary>
public static class TransportErrors
{
    public static bool IsTransport(Exception exception) => exception switch
    {
        RedisException or RedisTimeoutException => true, // connection, timeout, and the server refusing commands (LOADING, READONLY, …)
        MqttCommunicationException or MqttClientNotConnectedException or MqttClientDisconnectedException => true,
        SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransport),
        _ => false,
    };
}
