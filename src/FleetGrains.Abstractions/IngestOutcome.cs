namespace FleetGrains.Abstractions;

/// <summary>A sample a device refused, by its position in the batch that carried it.</summary>
[GenerateSerializer, Immutable]
public sealed record SampleRejection(
    [property: Id(0)] int Index,
    [property: Id(1)] string Reason);

/// <summary>What a device did with one batch of samples.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestOutcome(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] IReadOnlyList<SampleRejection> Rejected);
