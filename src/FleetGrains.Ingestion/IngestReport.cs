namespace FleetGrains.Ingestion;

/// <summary>
/// What happened to a batch of events. <see cref="Failed"/> counts valid events that could not be
/// applied because a device grain call failed; sending them again is safe (duplicates are ignored).
/// </summary>
public sealed record IngestReport(int Accepted, int Duplicates, int Rejected, int Failed, IReadOnlyList<EventRejection> Errors);
