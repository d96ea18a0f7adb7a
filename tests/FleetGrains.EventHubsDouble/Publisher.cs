using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// A client's sender to the hub or to one partition. Each transfer — one event, or a batch (message format
/// <see cref="BatchFormat"/>, one data section per encoded event) — goes to one partition: the link's, else the one
/// its partition key hashes to, else the next in turn; it is accepted once appended. Bad transfers are rejected with
/// the service's conditions.
/// </summary>
public sealed class Publisher(HubState hub, PartitionLog? partition, int maxMessageBytes) : LinkEndpoint
{
    public const uint BatchFormat = 0x80013700;

    private static readonly Symbol PartitionKey = new("x-opt-partition-key");

    private int _roundRobin;

    public override void OnMessage(MessageContext messageContext)
    {
        var message = messageContext.Message;
        List<(string? PartitionKey, byte[] Body, Properties? Properties, Map? ApplicationProperties, Map? Annotations)> events;
        try
        {
            events = message.Format == BatchFormat
                ? [.. Sections(message.BodySection).Select(s => Event(Message.Decode(new ByteBuffer(s, 0, s.Length, s.Length))))]
                : [Event(message)];
        }
        catch (Exception ex) when (ex is AmqpException or InvalidCastException or ArgumentException)
        {
            messageContext.Complete(new Error(ErrorCode.DecodeError) { Description = $"The message could not be read as events: {ex.Message}" });
            return;
        }

        var size = events.Sum(e => (long)e.Body.Length);
        if (size > maxMessageBytes)
        {
            messageContext.Complete(new Error(ErrorCode.MessageSizeExceeded) { Description = $"The received message ({size} bytes) exceeds the limit ({maxMessageBytes} bytes)." });
            return;
        }

        var key = message.MessageAnnotations?[PartitionKey] as string ?? events.FirstOrDefault().PartitionKey;
        var target = partition ?? (key is null ? hub.Partitions[Interlocked.Increment(ref _roundRobin) % hub.Partitions.Count] : hub.PartitionFor(key));
        target.Append(events.Select(e => e with { PartitionKey = e.PartitionKey ?? key }));
        messageContext.Complete();
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    private static IEnumerable<byte[]> Sections(RestrictedDescribed? body) => body switch
    {
        DataList list => Enumerable.Range(0, list.Count).Select(i => list[i].Binary),
        Data data => [data.Binary],
        _ => throw new ArgumentException("a batch's body must be data sections"),
    };

    private static (string? PartitionKey, byte[] Body, Properties? Properties, Map? ApplicationProperties, Map? Annotations) Event(Message message)
    {
        var body = Sections(message.BodySection).SelectMany(b => b).ToArray();
        Map? annotations = null;
        if (message.MessageAnnotations is { } own)
        {
            annotations = [];
            foreach (var (name, value) in own.Map.Where(a => !((string)(Symbol)a.Key).StartsWith("x-opt-", StringComparison.Ordinal)))
            {
                annotations[name] = value;
            }
        }

        return (message.MessageAnnotations?[PartitionKey] as string, body, message.Properties, message.ApplicationProperties?.Map, annotations);
    }
}
