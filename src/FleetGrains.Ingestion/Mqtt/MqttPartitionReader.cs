using System.Buffers;
using System.Threading.Channels;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetGrains.Ingestion.Mqtt;

/// <summary>
/// One MQTT client session reading one subscription at QoS 1: it acknowledges a message (PUBACK) only after the
/// device grains took its events (or they were dead-lettered), and reconnects after failures. Its session is
/// persistent (clean start off, <see cref="MqttSourceOptions.SessionExpiry"/>), so what it did not acknowledge
/// when it stopped or died — and, for a partition session, what arrived while no silo read it — the broker
/// delivers to the next client of the same id, in order. At most <see cref="MqttSourceOptions.MaxInFlight"/>
/// messages are unacknowledged: then the broker waits.
/// </summary>
public sealed partial class MqttPartitionReader : IPartitionReader
{
    private readonly string _clientId;
    private readonly string _topicFilter;
    private readonly SourcesOptions _options;
    private readonly SourceBatchProcessor _processor;
    private readonly ILogger _logger;
    private readonly Channel<Received> _received;
    private readonly CancellationTokenSource _stop = new();
    private int _connection;

    public MqttPartitionReader(int partition, string leaseName, string clientId, string topicFilter, SourcesOptions options, SourceBatchProcessor processor, ILogger logger)
    {
        Partition = partition;
        LeaseName = leaseName;
        _clientId = clientId;
        _topicFilter = topicFilter;
        _options = options;
        _processor = processor;
        _logger = logger;
        _received = Channel.CreateBounded<Received>(options.Mqtt.MaxInFlight);
        Completion = Task.Run(RunAsync);
    }

    public int Partition { get; }

    public string LeaseName { get; }

    public Task Completion { get; }

    private MqttSourceOptions Mqtt => _options.Mqtt;

    /// <summary>Stops reading; what was received and not yet acknowledged stays in the session for its next client.</summary>
    public void RequestStop() => _stop.Cancel();

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            return _received.Writer.WriteAsync(new Received(e, Volatile.Read(ref _connection)), stopping).AsTask();
        };
        client.DisconnectedAsync += _ =>
        {
            Interlocked.Increment(ref _connection);
            return Task.CompletedTask;
        };

        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await ConnectAsync(client, stopping);
                    failures = 0;
                }

                var batch = await NextBatchAsync(stopping);
                if (batch.Count > 0)
                {
                    await ProcessAsync(batch, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LogFailed(_logger, ex, Mqtt.Host, Mqtt.Port, _clientId, failures);
                await PauseAsync(_options.RetryDelayFor(failures), stopping);
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
            .WithClientId(_clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Mqtt.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum((ushort)Mqtt.MaxInFlight);
        MqttBrokerSecurity.Apply(connect, Mqtt);
        await client.ConnectAsync(connect.Build(), cancellationToken);
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_topicFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        var subscribed = await client.SubscribeAsync(subscribe, cancellationToken);
        if (subscribed.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2) is { } refused)
        {
            // A broker whose ACL does not let this user read the topics answers the subscription, not the connection.
            throw new InvalidOperationException($"The broker refused the subscription to '{refused.TopicFilter.Topic}': {refused.ResultCode}.");
        }

        LogConnected(_logger, Mqtt.Host, Mqtt.Port, _clientId, _topicFilter);
    }

    // Up to BatchSize messages: the first one waited for (at most a second, to notice a lost connection),
    // the rest if they come within BatchDelay.
    private async Task<List<Received>> NextBatchAsync(CancellationToken stopping)
    {
        var batch = new List<Received>();
        if (!await WaitForMessageAsync(TimeSpan.FromSeconds(1), stopping))
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
            else if (gathering - DateTime.UtcNow is not { Ticks: > 0 } left || !await WaitForMessageAsync(left, stopping))
            {
                break;
            }
        }

        return batch;
    }

    // False when no message came within the timeout.
    private async Task<bool> WaitForMessageAsync(TimeSpan timeout, CancellationToken stopping)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        wait.CancelAfter(timeout);
        try
        {
            return await _received.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    // Until every message of the batch is done: acknowledged as soon as it is, the rest tried again.
    // (Left unacknowledged, a message would come again only after a reconnect.) A transport failure (Redis of
    // the dead letters and counters, the broker) is not an attempt of the messages: retried without limit.
    private async Task ProcessAsync(List<Received> batch, CancellationToken stopping)
    {
        var pending = batch;
        var attempt = 1;
        var transportFailures = 0;
        while (pending.Count > 0 && !stopping.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                var messages = pending.Select(ToMessage).ToList();
                var done = await _processor.ProcessAsync(MqttSource.SourceName, messages, lastAttempt: attempt >= _options.MaxAttempts, attempt);
                var finished = pending.Where((_, i) => done[i]).ToList();
                pending = [.. pending.Where((_, i) => !done[i])];
                await AcknowledgeAsync(finished); // also when stopping: what is done need not come again
                if (pending.Count > 0)
                {
                    LogRetrying(_logger, pending.Count, attempt);
                }

                pause = _options.RetryDelayFor(attempt++);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && TransportErrors.IsTransport(ex))
            {
                LogBatchFailed(_logger, ex, pending.Count, attempt);
                pause = _options.RetryDelayFor(++transportFailures);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                LogBatchFailed(_logger, ex, pending.Count, attempt);
                pause = _options.RetryDelayFor(attempt++);
            }

            if (pending.Count > 0)
            {
                await PauseAsync(pause, stopping);
            }
        }
    }

    // A message received on an earlier connection cannot be acknowledged on this one: the broker sends it again.
    private async Task AcknowledgeAsync(List<Received> finished)
    {
        foreach (var message in finished.Where(m => m.Connection == Volatile.Read(ref _connection)))
        {
            await message.Args.AcknowledgeAsync(CancellationToken.None);
        }
    }

    private static SourceMessage ToMessage(Received received)
    {
        var message = received.Args.ApplicationMessage;
        var payload = message.Payload.ToArray();
        return MqttTopic.TryParse(message.Topic, out var fleetId, out var deviceId)
            ? new SourceMessage(message.Topic, payload, fleetId, deviceId, Binary: BinaryBatchDecoder.IsBinary(message.ContentType))
            : new SourceMessage(message.Topic, payload, Problem: $"the topic '{message.Topic}' is not fleets/{{fleetId}}/devices/{{deviceId}}/telemetry");
    }

    private static async Task PauseAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private sealed record Received(MqttApplicationMessageReceivedEventArgs Args, int Connection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port} as {ClientId}, reading {Filter}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string clientId, string filter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT source ({Host}:{Port}, {ClientId}) failed ({Failures} times in a row); reconnecting")]
    private static partial void LogFailed(ILogger logger, Exception exception, string host, int port, string clientId, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling {Count} MQTT messages failed (attempt {Attempt})")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} MQTT messages were not taken by their devices (attempt {Attempt}); trying again")]
    private static partial void LogRetrying(ILogger logger, int count, int attempt);
}
