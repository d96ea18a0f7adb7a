namespace FleetGrains.Abstractions;

/// <summary>
/// One reading of one device: the sequence number the device gave it, its timestamp in Unix
/// milliseconds and one value per feature. The sender must not change <see cref="Values"/> after sending.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TelemetrySample(
    [property: Id(0)] long Seq,
    [property: Id(1)] long Timestamp,
    [property: Id(2)] float[] Values);
