namespace FleetGrains.Training.Models;

/// <summary>The shape of the remaining-useful-life model and how it is trained.</summary>
public sealed record RulOptions
{
    /// <summary>Cycles per window (W); shorter histories are padded with their first cycle.</summary>
    public int Window { get; init; } = 30;

    /// <summary>Training targets are min(RUL, cap): the usual piecewise-linear degradation target.</summary>
    public float RulCap { get; init; } = 125;

    /// <summary>Convolutions over time before the dense layers; without <see cref="SamePadding"/> each shortens the window by Kernel − 1.</summary>
    public int ConvolutionLayers { get; init; } = 4;

    /// <summary>Pad every convolution with zeros so that it keeps the window's length.</summary>
    public bool SamePadding { get; init; } = true;

    /// <summary>The non-linearity after every convolution and the hidden dense layer.</summary>
    public Nn.Activation Activation { get; init; } = Nn.Activation.Tanh;

    public int Filters { get; init; } = 10;

    public int Kernel { get; init; } = 10;

    public int Hidden { get; init; } = 100;

    /// <summary>Networks trained from seeds Seed, Seed + 1, …; the model predicts their mean.</summary>
    public int EnsembleSize { get; init; } = 5;

    /// <summary>
    /// The shape and training were chosen on the validation RMSE of held-out training engines of FD001
    /// (never on test data); see models/README.md for the configurations compared.
    /// </summary>
    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 80, BatchSize = 64, LearningRate = 1e-3f, WeightDecay = 1e-2f, InputNoise = 0.2f, Patience = 15, ValidationFraction = 0.2 };
}
