using System.Buffers;
using System.Threading.Channels;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Orleans.Runtime;

namespace FleetGrains.Ingestion.Mqtt;

/// <summary>
/// Telemetry from an MQTT broker. The silo subscribes at QoS 1 to <see cref="MqttTopic.Filter"/> through the
/// shared subscription <c>$share/{ShareGroup}/…</c>, so the silos split the messages; it acknowledges a
/// message (PUBACK) only after the device grains took its events (or they were dead-lettered). Its session
/// is persistent (a fixed client id per silo), so what was not acknowledged when it went away comes again.
/// At most <see cref="MqttSourceOptions.MaxInFlight"/> messages are unacknowledged: then the broker waits.
/// </summary>
public sealed partial class MqttSource(
    IOptions<SourcesOptions> options,
    SourceBatchProcessor processor,
    ILocalSiloDetails silo,
    ILogger<MqttSource> logger) : BackgroundService
{
    public const string SourceName = "mqtt";

    private readonly SourcesOptions _options = options.Value;
    private readonly Channel<Received> _received = Channel.CreateBounded<Received>(options.Value.Mqtt.MaxInFlight);
    private int _connection;

    private MqttSourceOptions Mqtt => _options.Mqtt;

    /// <summary>The client id: fixed per silo endpoint so that a restarted silo resumes its session.</summary>
    private string ClientId => $"{Mqtt.ShareGroup}-{silo.SiloAddress.Endpoint}".Replace(':', '-');

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Mqtt.Enabled)
        {
            return;
        }

        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            return _received.Writer.WriteAsync(new Received(e, Volatile.Read(ref _connection)), stoppingToken).AsTask();
        };
        client.DisconnectedAsync += _ =>
        {
            Interlocked.Increment(ref _connection);
            return Task.CompletedTask;
        };

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await ConnectAsync(client, stoppingToken);
                    failures = 0;
                }

                var batch = await NextBatchAsync(stoppingToken);
                if (batch.Count > 0)
                {
                    await ProcessAsync(batch, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LogFailed(logger, ex, Mqtt.Host, Mqtt.Port, failures);
                await PauseAsync(_options.RetryDelayFor(failures), stoppingToken);
            }
        }

        if (client.IsConnected)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        }
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var connect = new MqttClientOptionsBuilder()
            .WithTcpServer(Mqtt.Host, Mqtt.Port)
            .WithClientId(ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)TimeSpan.FromHours(1).TotalSeconds)
            .WithReceiveMaximum((ushort)Mqtt.MaxInFlight)
            .Build();
        await client.ConnectAsync(connect, cancellationToken);
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"$share/{Mqtt.ShareGroup}/{MqttTopic.Filter}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        await client.SubscribeAsync(subscribe, cancellationToken);
        LogConnected(logger, Mqtt.Host, Mqtt.Port, ClientId, Mqtt.ShareGroup);
    }

    // Up to BatchSize messages: the first one waited for (at most a second, to notice a lost connection),
    // the rest if they come within BatchDelay.
    private async Task<List<Received>> NextBatchAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Received>();
        if (!await WaitForMessageAsync(TimeSpan.FromSeconds(1), stoppingToken))
        {
            return batch;
        }

        var gathering = DateTime.UtcNow + Mqtt.BatchDelay;
        while (batch.Count < Mqtt.BatchSize)
        {
            if (_received.Reader.TryRead(out var message))
            {
                batch.Add(message);
            }
            else if (gathering - DateTime.UtcNow is not { Ticks: > 0 } left || !await WaitForMessageAsync(left, stoppingToken))
            {
                break;
            }
        }

        return batch;
    }

    // False when no message came within the timeout.
    private async Task<bool> WaitForMessageAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(timeout);
        try
        {
            return await _received.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // Until every message of the batch is done: acknowledged as soon as it is, the rest tried again.
    // (Left unacknowledged, a message would come again only after a reconnect.) A transport failure (Redis of
    // the dead letters and counters, the broker) is not an attempt of the messages: retried without limit.
    private async Task ProcessAsync(List<Received> batch, CancellationToken stoppingToken)
    {
        var pending = batch;
        var attempt = 1;
        var transportFailures = 0;
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                var messages = pending.Select(ToMessage).ToList();
                var done = await processor.ProcessAsync(SourceName, messages, lastAttempt: attempt >= _options.MaxAttempts, attempt);
                var finished = pending.Where((_, i) => done[i]).ToList();
                pending = [.. pending.Where((_, i) => !done[i])];
                await AcknowledgeAsync(finished, stoppingToken);
                if (pending.Count > 0)
                {
                    LogRetrying(logger, pending.Count, attempt);
                }

                pause = _options.RetryDelayFor(attempt++);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && TransportErrors.IsTransport(ex))
            {
                LogBatchFailed(logger, ex, pending.Count, attempt);
                pause = _options.RetryDelayFor(++transportFailures);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogBatchFailed(logger, ex, pending.Count, attempt);
                pause = _options.RetryDelayFor(attempt++);
            }

            if (pending.Count > 0)
            {
                await PauseAsync(pause, stoppingToken);
            }
        }
    }

    // A message received on an earlier connection cannot be acknowledged on this one: the broker sends it again.
    private async Task AcknowledgeAsync(List<Received> finished, CancellationToken stoppingToken)
    {
        foreach (var message in finished.Where(m => m.Connection == Volatile.Read(ref _connection)))
        {
            await message.Args.AcknowledgeAsync(stoppingToken);
        }
    }

    private static SourceMessage ToMessage(Received received)
    {
        var message = received.Args.ApplicationMessage;
        var payload = message.Payload.ToArray();
        return MqttTopic.TryParse(message.Topic, out var fleetId, out var deviceId)
            ? new SourceMessage(message.Topic, payload, fleetId, deviceId)
            : new SourceMessage(message.Topic, payload, Problem: $"the topic '{message.Topic}' is not fleets/{{fleetId}}/devices/{{deviceId}}/telemetry");
    }

    private static async Task PauseAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private sealed record Received(MqttApplicationMessageReceivedEventArgs Args, int Connection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port} as {ClientId}, sharing the telemetry subscription in group {Group}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string clientId, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT source ({Host}:{Port}) failed ({Failures} times in a row); reconnecting")]
    private static partial void LogFailed(ILogger logger, Exception exception, string host, int port, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling {Count} MQTT messages failed (attempt {Attempt})")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} MQTT messages were not taken by their devices (attempt {Attempt}); trying again")]
    private static partial void LogRetrying(ILogger logger, int count, int attempt);
}
