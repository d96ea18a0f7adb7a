namespace FleetGrains.Abstractions;

/// <summary>What a model host learned from a model's ONNX file: its kind and the window it reads.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelDescription(
    [property: Id(0)] ModelRef Model,
    [property: Id(1)] ModelKind Kind,
    [property: Id(2)] int Window,
    [property: Id(3)] int Features);
