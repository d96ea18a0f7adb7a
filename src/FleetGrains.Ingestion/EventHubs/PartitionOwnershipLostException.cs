namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// A checkpoint refused because the processor writing it no longer owns the partition: another processor took it (or
/// nobody holds it), and that one reads on from the last checkpoint, so what was done here is read again there.
/// </summary>
public sealed class PartitionOwnershipLostException(string partitionId, string clientIdentifier, string? owner, long sequenceNumber)
    : Exception($"Partition {partitionId} is owned by {(string.IsNullOrEmpty(owner) ? "no processor" : $"processor '{owner}'")}, not by '{clientIdentifier}': " +
        $"its checkpoint at sequence number {sequenceNumber} was not written (the owner reads on from the last checkpoint)")
{
    public string PartitionId { get; } = partitionId;

    /// <summary>The processor that owns the partition now; null when none does.</summary>
    public string? Owner { get; } = string.IsNullOrEmpty(owner) ? null : owner;
}
