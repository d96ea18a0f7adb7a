using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>
/// An LSTM forecaster over sliding windows of W samples × F features: an LSTM reads the W − 1 oldest samples
/// (normalised) and a dense layer predicts the newest from its last hidden state. Row t is scored by the window
/// that ends at it: the score is the mean squared error of the prediction of row t's normalised values, and the
/// per-feature squared errors explain it — prediction error, where the autoencoder has reconstruction error.
/// </summary>
public sealed class WindowForecaster : IWindowScorer
{
    public WindowForecaster(int window, Normaliser normaliser, Sequential network)
    {
        RequireWindow(window);
        if (network.InputSize != (window - 1) * normaliser.Features || network.OutputSize != normaliser.Features)
        {
            throw new ArgumentException($"The network must map {window - 1} × {normaliser.Features} values to {normaliser.Features}.");
        }

        Window = window;
        Normaliser = normaliser;
        Network = network;
    }

    public int Window { get; }

    public int Features => Normaliser.Features;

    public Normaliser Normaliser { get; }

    public Sequential Network { get; }

    /// <summary>A new, untrained forecaster for rows like <paramref name="trainRows"/>, normalised by them.</summary>
    public static WindowForecaster Create(IReadOnlyList<float[]> trainRows, ForecasterOptions options)
    {
        RequireWindow(options.Window);
        var normaliser = Normaliser.Fit(trainRows);
        var random = new Random(options.Training.Seed);
        var network = new Sequential(
        [
            new LstmLayer(options.Window - 1, normaliser.Features, options.Hidden, random, "lstm"),
            new DenseLayer(options.Hidden, normaliser.Features, random, "forecast"),
        ]);
        return new WindowForecaster(options.Window, normaliser, network);
    }

    public TrainingReport Train(IReadOnlyList<float[]> rows, TrainingOptions options)
    {
        var (history, newest, count) = Split(rows);
        return Trainer.Fit(Network, history, newest, count, options);
    }

    public WindowScores Score(IReadOnlyList<float[]> rows, int batchSize = 256)
    {
        var (history, newest, count) = Split(rows);
        var scores = new float[count];
        var featureErrors = new float[count * Features];
        var size = (Window - 1) * Features;
        for (var start = 0; start < count; start += batchSize)
        {
            var batch = Math.Min(batchSize, count - start);
            var predicted = Network.Forward(history.AsSpan(start * size, batch * size), batch);
            for (var b = 0; b < batch; b++)
            {
                scores[start + b] = WindowScores.SquaredErrors(
                    predicted.AsSpan(b * Features, Features), newest.AsSpan((start + b) * Features, Features), featureErrors.AsSpan((start + b) * Features, Features));
            }
        }

        return new WindowScores(scores, featureErrors, Features);
    }

    private static void RequireWindow(int window)
    {
        if (window < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "A forecaster reads at least one sample to predict the next: the window is at least 2.");
        }
    }

    // Every full window of the rows, normalised: its W − 1 oldest samples (the input) and its newest (the target).
    private (float[] History, float[] Newest, int Count) Split(IReadOnlyList<float[]> rows)
    {
        var count = rows.Count - Window + 1;
        if (count < 1)
        {
            throw new ArgumentException($"{rows.Count} rows hold no window of {Window} samples.", nameof(rows));
        }

        var normalised = Normaliser.ApplyToRows(rows);

        var size = (Window - 1) * Features;
        var history = new float[count * size];
        var newest = new float[count * Features];
        for (var w = 0; w < count; w++)
        {
            normalised.AsSpan(w * Features, size).CopyTo(history.AsSpan(w * size, size));
            normalised.AsSpan((w + Window - 1) * Features, Features).CopyTo(newest.AsSpan(w * Features, Features));
        }

        return (history, newest, count);
    }
}
