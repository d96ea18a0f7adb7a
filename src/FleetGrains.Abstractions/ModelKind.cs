namespace FleetGrains.Abstractions;

/// <summary>What a model computes, from the <c>fleetgrains.kind</c> metadata of its ONNX file.</summary>
public enum ModelKind
{
    /// <summary>Anomaly score and per-feature errors of a window: reconstruction error (<c>window-autoencoder</c>).</summary>
    WindowAutoencoder,

    /// <summary>Remaining useful life of a window (<c>rul</c>).</summary>
    Rul,

    /// <summary>Anomaly score and per-feature errors of a window: the error of predicting its newest sample (<c>window-forecaster</c>, an LSTM).</summary>
    WindowForecaster,
}

public static class ModelKinds
{
    /// <summary>Whether a model of this kind scores anomalies (outputs <c>score</c> and <c>feature_errors</c>), as a fleet's anomaly model.</summary>
    public static bool ScoresAnomalies(this ModelKind kind) => kind is ModelKind.WindowAutoencoder or ModelKind.WindowForecaster;
}
