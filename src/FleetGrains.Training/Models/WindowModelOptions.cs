using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>The anomaly models over windows that replay and eval train: reconstruction or prediction error.</summary>
public enum WindowModelKind
{
    /// <summary>A dense window autoencoder (<see cref="WindowAutoencoder"/>).</summary>
    Autoencoder,

    /// <summary>An LSTM forecaster of a window's newest sample (<see cref="WindowForecaster"/>).</summary>
    Lstm,
}

/// <summary>Which anomaly model over windows to train, with the options of each kind.</summary>
public sealed record WindowModelOptions
{
    public WindowModelKind Kind { get; init; } = WindowModelKind.Autoencoder;

    public AutoencoderOptions Autoencoder { get; init; } = new();

    public ForecasterOptions Forecaster { get; init; } = new();

    /// <summary>The name commands take and print: <c>autoencoder</c> or <c>lstm</c>.</summary>
    public string Name => Kind == WindowModelKind.Lstm ? "lstm" : "autoencoder";

    public int Window => Kind == WindowModelKind.Lstm ? Forecaster.Window : Autoencoder.Window;

    public TrainingOptions Training => Kind == WindowModelKind.Lstm ? Forecaster.Training : Autoencoder.Training;

    /// <summary>
    /// The model for a new CSV of <paramref name="features"/> columns when the user names none: a univariate series gets
    /// the LSTM forecaster over its window (16 samples: one sample alone says nothing about a single sensor's
    /// behaviour), several sensors the autoencoder with its default window (chosen on SMD's synthetic tails).
    /// </summary>
    public static WindowModelOptions DefaultFor(int features) =>
        new() { Kind = features == 1 ? WindowModelKind.Lstm : WindowModelKind.Autoencoder };

    /// <summary><c>autoencoder</c> or <c>lstm</c>.</summary>
    public static WindowModelKind ParseKind(string text) => text switch
    {
        "autoencoder" => WindowModelKind.Autoencoder,
        "lstm" => WindowModelKind.Lstm,
        _ => throw new ArgumentException($"unknown model '{text}'; use autoencoder or lstm."),
    };

    public WindowModelOptions WithWindow(int window) => Kind == WindowModelKind.Lstm
        ? this with { Forecaster = Forecaster with { Window = window } }
        : this with { Autoencoder = Autoencoder with { Window = window } };

    public WindowModelOptions WithEpochs(int epochs) => Kind == WindowModelKind.Lstm
        ? this with { Forecaster = Forecaster with { Training = Forecaster.Training with { Epochs = epochs } } }
        : this with { Autoencoder = Autoencoder with { Training = Autoencoder.Training with { Epochs = epochs } } };

    /// <summary>A new, untrained model for rows like <paramref name="trainRows"/>.</summary>
    public IWindowScorer Create(IReadOnlyList<float[]> trainRows) => Kind == WindowModelKind.Lstm
        ? WindowForecaster.Create(trainRows, Forecaster)
        : WindowAutoencoder.Create(trainRows, Autoencoder);
}
