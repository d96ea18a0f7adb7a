namespace FleetGrains.Training.Models;

/// <summary>The shape of the remaining-useful-life model and how it is trained.</summary>
public sealed record RulOptions
{
    /// <summary>Cycles per window (W); shorter histories are padded with their first cycle.</summary>
    public int Window { get; init; } = 30;

    /// <summary>Training targets are min(RUL, cap): the usual piecewise-linear degradation target.</summary>
    public float RulCap { get; init; } = 125;

    public int Filters { get; init; } = 16;

    public int Kernel { get; init; } = 5;

    public int Hidden { get; init; } = 64;

    public Nn.TrainingOptions Training { get; init; } = new() { Epochs = 60, BatchSize = 64, Patience = 8 };
}
