namespace FleetGrains.Training.Models;

/// <summary>The shape of an LSTM forecaster and how it is trained.</summary>
public sealed record ForecasterOptions
{
    /// <summary>Samples per window (W): the forecaster reads the W − 1 oldest and predicts the newest. At least 2.</summary>
    public int Window { get; init; } = 16;

    /// <summary>Units of the LSTM's hidden state.</summary>
    public int Hidden { get; init; } = 32;

    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 20, BatchSize = 128 };
}
