namespace FleetGrains.Abstractions;

/// <summary>A device's rolling window, oldest sample first.</summary>
[GenerateSerializer, Immutable]
public sealed record TelemetryWindow(
    [property: Id(0)] string FleetId,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] int WindowSize,
    [property: Id(3)] int FeatureCount,
    [property: Id(4)] IReadOnlyList<WindowSample> Samples);

[GenerateSerializer, Immutable]
public sealed record WindowSample(
    [property: Id(0)] long Timestamp,
    [property: Id(1)] float[] Values);
