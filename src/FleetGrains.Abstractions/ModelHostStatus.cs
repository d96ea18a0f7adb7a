namespace FleetGrains.Abstractions;

/// <summary>
/// Where a model is served and how: the silo, the execution provider asked for and the one in use
/// (they differ when the configured one could not be loaded, with the reason), and the work done so far.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelHostStatus(
    [property: Id(0)] ModelDescription Description,
    [property: Id(1)] string Silo,
    [property: Id(2)] string RequestedProvider,
    [property: Id(3)] string ActiveProvider,
    [property: Id(4)] string? FallbackReason,
    [property: Id(5)] long Runs,
    [property: Id(6)] long Rows,
    [property: Id(7)] long Requests,
    [property: Id(8)] int QueuedRows);
