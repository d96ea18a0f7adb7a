using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>Replies of the <c>$cbs</c> and <c>$management</c> nodes, in the shape the client reads (an int status code).</summary>
public static class RequestReplies
{
    public static Message Status(int code, string description, object? body = null, string? condition = null)
    {
        var reply = body is null ? new Message() : new Message(body);
        reply.ApplicationProperties = new ApplicationProperties
        {
            ["status-code"] = code,
            ["status-description"] = description,
        };
        if (condition is not null)
        {
            reply.ApplicationProperties["error-condition"] = new Symbol(condition);
        }

        return reply;
    }
}
