using Amqp.Listener;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// The <c>$management</c> node: READ of <c>com.microsoft:eventhub</c> (name, creation, partition ids) and of
/// <c>com.microsoft:partition</c> (first and last sequence number, last offset and time, emptiness), each with a good
/// <c>security_token</c>; other requests get the service's status codes.
/// </summary>
public sealed class ManagementNode(HubState hub) : IRequestProcessor
{
    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        if (requestContext.ResponseLink is null)
        {
            return;
        }

        var properties = requestContext.Message.ApplicationProperties;
        if (hub.TokenProblem(properties?["security_token"] as string) is { } problem)
        {
            requestContext.Complete(RequestReplies.Status(401, $"Unauthorized: {problem}.", condition: "amqp:unauthorized-access"));
            return;
        }

        if (properties!["operation"] as string != "READ")
        {
            requestContext.Complete(RequestReplies.Status(400, $"The operation '{properties["operation"]}' is not supported.", condition: "com.microsoft:argument-error"));
            return;
        }

        if (!string.Equals(properties["name"] as string, hub.Name, StringComparison.OrdinalIgnoreCase))
        {
            requestContext.Complete(RequestReplies.Status(404, $"The messaging entity '{properties["name"]}' could not be found.", condition: "amqp:not-found"));
            return;
        }

        requestContext.Complete((properties["type"] as string) switch
        {
            "com.microsoft:eventhub" => RequestReplies.Status(200, "OK", new Map
            {
                ["name"] = hub.Name,
                ["type"] = "com.microsoft:eventhub",
                ["created_at"] = hub.CreatedAtUtc,
                ["partition_count"] = hub.Partitions.Count,
                ["partition_ids"] = hub.Partitions.Select(p => p.Id).ToArray(),
            }),
            "com.microsoft:partition" when hub.Partition(properties["partition"] as string ?? "") is { } partition => PartitionProperties(partition),
            "com.microsoft:partition" => RequestReplies.Status(404, $"The partition '{properties["partition"]}' does not exist.", condition: "amqp:not-found"),
            var type => RequestReplies.Status(400, $"The type '{type}' is not supported.", condition: "com.microsoft:argument-error"),
        });
    }

    private Amqp.Message PartitionProperties(PartitionLog partition)
    {
        var last = partition.Last;
        return RequestReplies.Status(200, "OK", new Map
        {
            ["name"] = hub.Name,
            ["type"] = "com.microsoft:partition",
            ["partition"] = partition.Id,
            ["begin_sequence_number"] = 0L,
            ["last_enqueued_sequence_number"] = last?.SequenceNumber ?? -1L,
            ["last_enqueued_offset"] = (last?.Offset ?? -1L).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["last_enqueued_time_utc"] = last?.EnqueuedTimeUtc ?? DateTime.UnixEpoch,
            ["is_partition_empty"] = last is null,
        });
    }
}
