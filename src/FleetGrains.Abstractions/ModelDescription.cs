namespace FleetGrains.Abstractions;

/// <summary>
/// What a model host learned from a model's ONNX file: its kind, the window it reads, and the file's
/// SHA-256 (lower-case hex), by which a client can check that it holds the very same model.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelDescription(
    [property: Id(0)] ModelRef Model,
    [property: Id(1)] ModelKind Kind,
    [property: Id(2)] int Window,
    [property: Id(3)] int Features,
    [property: Id(4)] string Sha256);
