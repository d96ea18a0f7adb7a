namespace FleetGrains.Training.Models;

/// <summary>The shape of the remaining-useful-life model and how it is trained.</summary>
public sealed record RulOptions
{
    /// <summary>The kind of network each member of the ensemble is.</summary>
    public RulNetwork Network { get; init; } = RulNetwork.Cnn;

    /// <summary>
    /// Cycles per window (W); shorter histories are padded with their first cycle. 40 was chosen over 20, 30 and 50 on a
    /// test-like validation (held-out training engines cut at random cycles; models/README.md).
    /// </summary>
    public int Window { get; init; } = 40;

    /// <summary>Training targets are min(RUL, cap): the usual piecewise-linear degradation target.</summary>
    public float RulCap { get; init; } = 125;

    /// <summary>Convolutions over time before the dense layers; without <see cref="SamePadding"/> each shortens the window by Kernel − 1.</summary>
    public int ConvolutionLayers { get; init; } = 4;

    /// <summary>Pad every convolution with zeros so that it keeps the window's length.</summary>
    public bool SamePadding { get; init; } = true;

    /// <summary>The non-linearity after every convolution and the hidden dense layer.</summary>
    public Nn.Activation Activation { get; init; } = Nn.Activation.Tanh;

    public int Filters { get; init; } = 10;

    /// <summary>LSTM layers (<see cref="RulNetwork.Lstm"/>); every layer but the last passes on its whole sequence. Two of 32 units were chosen on FD001 validation (models/README.md).</summary>
    public int LstmLayers { get; init; } = 2;

    /// <summary>The hidden size of every LSTM layer.</summary>
    public int LstmUnits { get; init; } = 32;

    public int Kernel { get; init; } = 10;

    public int Hidden { get; init; } = 100;

    /// <summary>
    /// Networks trained from seeds Seed, Seed + 1, …; the model predicts their mean. The members of an ensemble stop
    /// early on one fold of the engines each instead of <see cref="Nn.TrainingOptions.ValidationFraction"/> (<see cref="RulModel.Train"/>).
    /// </summary>
    public int EnsembleSize { get; init; } = 5;

    /// <summary>
    /// The shape and training were chosen on the validation RMSE of held-out training engines of FD001
    /// (never on test data); see models/README.md for the configurations compared.
    /// </summary>
    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 80, BatchSize = 64, LearningRate = 1e-3f, WeightDecay = 1e-2f, InputNoise = 0.2f, Patience = 15, ValidationFraction = 0.2 };

    public static RulNetwork ParseNetwork(string text) => text switch
    {
        "cnn" => RulNetwork.Cnn,
        "lstm" => RulNetwork.Lstm,
        _ => throw new ArgumentException($"unknown RUL model '{text}'; use cnn or lstm."),
    };
}

/// <summary>What a RUL network reads its window with.</summary>
public enum RulNetwork
{
    /// <summary>1-D convolutions over time (<see cref="RulOptions.ConvolutionLayers"/>), then two dense layers; reads [sensor, cycle].</summary>
    Cnn,

    /// <summary>LSTM layers over the cycles, oldest first, then two dense layers on the last hidden state; reads [cycle, sensor].</summary>
    Lstm,
}
