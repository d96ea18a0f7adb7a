using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// A client's receiver on one partition of one consumer group: sends the partition's events from its start index on,
/// as far as the client's credit allows, each with the service's annotations (sequence number, offset as a string,
/// enqueued time, partition key) and — when the client asked for the runtime metric — the partition's last enqueued
/// event in the delivery annotations. New events are sent as they are appended. Sending runs on one worker at a time
/// (never on the connection's I/O thread), so the order is the partition's.
/// </summary>
public sealed class PartitionReader : LinkEndpoint
{
    public static readonly Symbol RuntimeMetric = new("com.microsoft:enable-receiver-runtime-metric");

    private readonly HubState _hub;
    private readonly ListenerLink _link;
    private readonly bool _runtimeMetric;
    private readonly Lock _creditGate = new();
    private int _credit;
    private long _next;
    private int _signals;
    private int _closed;

    public PartitionReader(HubState hub, ListenerLink link, string consumerGroup, PartitionLog log, long? epoch, string name, long start, bool runtimeMetric)
    {
        (_hub, _link, ConsumerGroup, Log, Epoch, Name, _next, _runtimeMetric) = (hub, link, consumerGroup, log, epoch, name, start, runtimeMetric);
    }

    public string ConsumerGroup { get; }

    public PartitionLog Log { get; }

    public long? Epoch { get; }

    public string Name { get; }

    /// <summary>Starts sending (after the attach was answered).</summary>
    public void Start()
    {
        Log.Appended += Schedule;
        Schedule();
    }

    /// <summary>Takes the partition away from this receiver, as a receiver with a higher (or the same) epoch does.</summary>
    public void Disconnect(string description)
    {
        Stop();
        try
        {
            _link.Close(TimeSpan.Zero, new Error(ErrorCode.Stolen) { Description = description });
        }
        catch (AmqpException)
        {
            // Already closing.
        }
    }

    public override void OnFlow(FlowContext flowContext)
    {
        lock (_creditGate)
        {
            // As the library counts it: a limit below what was sent leaves no credit.
            _credit = flowContext.Messages > 0 ? _credit + flowContext.Messages : 0;
        }

        Schedule();
    }

    public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();

    public override void OnLinkClosed(ListenerLink link, Error error) => Stop();

    private void Stop()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Log.Appended -= Schedule;
            _hub.Close(this);
        }
    }

    private void Schedule()
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => Run(), null);
        }
    }

    private void Run()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _signals);
            SendWhatCreditAllows();
        }
        while (Interlocked.Add(ref _signals, -seen) != 0);
    }

    private void SendWhatCreditAllows()
    {
        while (Volatile.Read(ref _closed) == 0 && Log.At(_next) is { } stored)
        {
            lock (_creditGate)
            {
                if (_credit <= 0)
                {
                    return;
                }

                _credit--;
            }

            try
            {
                _link.SendMessage(ToMessage(stored));
                _next++;
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
            {
                Stop(); // the link or its connection ended
                return;
            }
        }
    }

    private Message ToMessage(StoredEvent stored)
    {
        var message = new Message
        {
            BodySection = new Data { Binary = stored.Body },
            Properties = stored.Properties,
            MessageAnnotations = new MessageAnnotations(),
        };
        if (stored.ApplicationProperties is { } applicationProperties)
        {
            message.ApplicationProperties = new ApplicationProperties();
            foreach (var (key, value) in applicationProperties)
            {
                message.ApplicationProperties.Map[key] = value;
            }
        }

        var annotations = message.MessageAnnotations;
        foreach (var (key, value) in stored.Annotations ?? [])
        {
            annotations.Map[key] = value;
        }

        annotations[new Symbol("x-opt-sequence-number")] = stored.SequenceNumber;
        annotations[new Symbol("x-opt-offset")] = stored.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        annotations[new Symbol("x-opt-enqueued-time")] = stored.EnqueuedTimeUtc;
        if (stored.PartitionKey is { } partitionKey)
        {
            annotations[new Symbol("x-opt-partition-key")] = partitionKey;
        }

        if (_runtimeMetric && Log.Last is { } last)
        {
            message.DeliveryAnnotations = new DeliveryAnnotations
            {
                [new Symbol("last_enqueued_sequence_number")] = last.SequenceNumber,
                [new Symbol("last_enqueued_offset")] = last.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [new Symbol("last_enqueued_time_utc")] = last.EnqueuedTimeUtc,
                [new Symbol("runtime_info_retrieval_time_utc")] = DateTime.UtcNow,
            };
        }

        return message;
    }
}
