namespace FleetGrains.Training.Models;

/// <summary>The shape of a window autoencoder and how it is trained.</summary>
public sealed record AutoencoderOptions
{
    /// <summary>
    /// Samples per window (W). 1 was chosen over 2, 4 and 16 without test labels, on synthetic anomalies
    /// planted in the held-out tail of the SMD training rows (<c>fleetctl eval smd --synthetic-tail</c>,
    /// models/README.md); larger windows remain available to every command and model.
    /// </summary>
    public int Window { get; init; } = 1;

    /// <summary>Units of the hidden layers on either side of the bottleneck.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Units of the bottleneck.</summary>
    public int Bottleneck { get; init; } = 16;

    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 30, BatchSize = 128 };
}
