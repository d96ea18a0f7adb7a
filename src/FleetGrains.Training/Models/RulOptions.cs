namespace FleetGrains.Training.Models;

/// <summary>The shape of the remaining-useful-life model and how it is trained.</summary>
public sealed record RulOptions
{
    /// <summary>Cycles per window (W); shorter histories are padded with their first cycle.</summary>
    public int Window { get; init; } = 30;

    /// <summary>Training targets are min(RUL, cap): the usual piecewise-linear degradation target.</summary>
    public float RulCap { get; init; } = 125;

    /// <summary>Convolutions over time before the dense layers; each shortens the window by Kernel − 1.</summary>
    public int ConvolutionLayers { get; init; } = 2;

    public int Filters { get; init; } = 16;

    public int Kernel { get; init; } = 10;

    public int Hidden { get; init; } = 32;

    /// <summary>
    /// Chosen on the validation RMSE of held-out training engines of FD001 (never on test data); see
    /// models/README.md for the configurations compared.
    /// </summary>
    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 80, BatchSize = 64, LearningRate = 1e-3f, WeightDecay = 1e-2f, InputNoise = 0.2f, Patience = 15, ValidationFraction = 0.2 };
}
