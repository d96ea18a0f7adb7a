using FleetGrains.Ingestion.Sources;
using Orleans.Runtime;

namespace FleetGrains.Silo.Api;

/// <summary>
/// Failures that say "not now" rather than "no": the target silo died or is going away and the grain is being
/// activated elsewhere (message rejections, silo unavailable), a gateway or connection that failed, a call that
/// timed out, and Redis or the network being away (<see cref="TransportErrors"/>). Told apart by type.
/// </summary>
public static class TransientClusterFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        OrleansMessageRejectionException => true, // includes SiloUnavailableException
        GatewayTooBusyException => true,
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        TimeoutException => true,
        _ when TransportErrors.IsTransport(exception) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };
}
