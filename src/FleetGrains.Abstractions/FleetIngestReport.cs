namespace FleetGrains.Abstractions;

/// <summary>
/// What one silo's sources and API took for a fleet over the last second: events its devices accepted per second, how
/// late the valid events arrived on average (arrival − event time; null when none came), and events dead-lettered.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FleetIngestReport(
    [property: Id(0)] double EventsPerSecond,
    [property: Id(1)] double? ArrivalLagSeconds,
    [property: Id(2)] long DeadLettered);
