namespace FleetGrains.Training.Models;

/// <summary>The shape of a window autoencoder and how it is trained.</summary>
public sealed record AutoencoderOptions
{
    /// <summary>Samples per window (W).</summary>
    public int Window { get; init; } = 16;

    /// <summary>Units of the hidden layers on either side of the bottleneck.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Units of the bottleneck.</summary>
    public int Bottleneck { get; init; } = 16;

    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 30, BatchSize = 128 };
}
