using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>
/// An anomaly model over sliding windows of W samples × F features: row t is scored by the window that ends at it,
/// with the squared error of each feature of row t as the explanation. The window autoencoder and the LSTM
/// forecaster are two; replay and eval take either.
/// </summary>
public interface IWindowScorer
{
    int Window { get; }

    int Features { get; }

    /// <summary>The per-feature normalisation learnt from the training rows (and exported with the model).</summary>
    Normaliser Normaliser { get; }

    /// <summary>Trains on every full window of <paramref name="rows"/>.</summary>
    TrainingReport Train(IReadOnlyList<float[]> rows, TrainingOptions options);

    /// <summary>Scores every full window of <paramref name="rows"/>: element i belongs to the window that ends at row <c>i + Window − 1</c>.</summary>
    WindowScores Score(IReadOnlyList<float[]> rows, int batchSize = 256);
}
