namespace FleetGrains.Abstractions;

/// <summary>
/// Rows to score with one model: <see cref="Rows"/> windows of the model's W × F raw readings each,
/// oldest sample first, flattened row-major into <see cref="Windows"/>. The windows may be memory their owner rents and
/// takes back once the request is answered (a device's capture): whoever scores them reads them before answering and
/// keeps no reference after.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScoringRequest([property: Id(0)] ReadOnlyMemory<float> Windows, [property: Id(1)] int Rows);
