namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// One Event Hubs partition this silo owns: the sequence number of the last event done (checkpointed, or the one
/// before the first this owner read), the last one the hub had enqueued when the receiver last heard, and the difference.
/// </summary>
public sealed record EventHubsPartitionStatus(string EventHub, string Partition, long? Checkpointed, long? LastEnqueued, long? Lag);

/// <summary>The Event Hubs partitions this silo owns, as <see cref="EventHubsSource"/> last saw them (for <c>GET /api/sources</c>).</summary>
public sealed class EventHubsReadState
{
    private volatile IReadOnlyList<EventHubsPartitionStatus> _partitions = [];

    public IReadOnlyList<EventHubsPartitionStatus> Partitions => _partitions;

    public void Replace(IEnumerable<EventHubsPartitionStatus> partitions) =>
        _partitions = [.. partitions.OrderBy(p => int.TryParse(p.Partition, out var n) ? n : int.MaxValue).ThenBy(p => p.Partition, StringComparer.Ordinal)];
}
