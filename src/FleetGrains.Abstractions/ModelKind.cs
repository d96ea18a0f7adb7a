namespace FleetGrains.Abstractions;

/// <summary>What a model computes, from the <c>fleetgrains.kind</c> metadata of its ONNX file.</summary>
public enum ModelKind
{
    /// <summary>Anomaly score and per-feature errors of a window (<c>window-autoencoder</c>).</summary>
    WindowAutoencoder,

    /// <summary>Remaining useful life of a window (<c>rul</c>).</summary>
    Rul,
}
