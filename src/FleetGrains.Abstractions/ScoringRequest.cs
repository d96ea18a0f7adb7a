namespace FleetGrains.Abstractions;

/// <summary>
/// Rows to score with one model: <see cref="Rows"/> windows of the model's W × F raw readings each,
/// oldest sample first, flattened row-major into <see cref="Windows"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScoringRequest([property: Id(0)] float[] Windows, [property: Id(1)] int Rows);
