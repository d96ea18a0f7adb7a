using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>
/// An autoencoder over sliding windows of W samples × F features, trained to reconstruct whole
/// windows. Row t is scored by the window that ends at it: the score is the mean squared
/// reconstruction error of row t's own normalised values (its newest sample), and the per-feature
/// squared errors explain it. Scoring the newest sample, not the whole window, keeps an anomaly from
/// echoing into the W − 1 rows after it.
/// </summary>
public sealed class WindowAutoencoder : IWindowScorer
{
    public WindowAutoencoder(int window, Normaliser normaliser, Sequential network)
    {
        if (network.InputSize != window * normaliser.Features || network.OutputSize != network.InputSize)
        {
            throw new ArgumentException($"The network must map {window} × {normaliser.Features} values to as many.");
        }

        Window = window;
        Normaliser = normaliser;
        Network = network;
    }

    public int Window { get; }

    public int Features => Normaliser.Features;

    public Normaliser Normaliser { get; }

    public Sequential Network { get; }

    /// <summary>A new, untrained autoencoder for rows like <paramref name="trainRows"/>, normalised by them.</summary>
    public static WindowAutoencoder Create(IReadOnlyList<float[]> trainRows, AutoencoderOptions options)
    {
        var normaliser = Normaliser.Fit(trainRows);
        var size = options.Window * normaliser.Features;
        var random = new Random(options.Training.Seed);
        var network = new Sequential(
        [
            new DenseLayer(size, options.Hidden, random, "encoder1"), new ActivationLayer(Activation.Tanh, options.Hidden),
            new DenseLayer(options.Hidden, options.Bottleneck, random, "encoder2"), new ActivationLayer(Activation.Tanh, options.Bottleneck),
            new DenseLayer(options.Bottleneck, options.Hidden, random, "decoder1"), new ActivationLayer(Activation.Tanh, options.Hidden),
            new DenseLayer(options.Hidden, size, random, "decoder2"),
        ]);
        return new WindowAutoencoder(options.Window, normaliser, network);
    }

    /// <summary>Trains on every full window of <paramref name="rows"/> (the autoencoder's target is its input).</summary>
    public TrainingReport Train(IReadOnlyList<float[]> rows, TrainingOptions options)
    {
        var (windows, count) = Windows(rows);
        return Trainer.Fit(Network, windows, windows, count, options);
    }

    /// <summary>
    /// Scores every full window of <paramref name="rows"/>: element i belongs to the window that ends at
    /// row <c>i + Window − 1</c>.
    /// </summary>
    public WindowScores Score(IReadOnlyList<float[]> rows, int batchSize = 256)
    {
        var (windows, count) = Windows(rows);
        var scores = new float[count];
        var featureErrors = new float[count * Features];
        var size = Window * Features;
        for (var start = 0; start < count; start += batchSize)
        {
            var batch = Math.Min(batchSize, count - start);
            var input = windows.AsSpan(start * size, batch * size);
            var output = Network.Forward(input, batch);
            var newest = (Window - 1) * Features;
            for (var b = 0; b < batch; b++)
            {
                var sample = (b * size) + newest;
                scores[start + b] = WindowScores.SquaredErrors(
                    output.AsSpan(sample, Features), input.Slice(sample, Features), featureErrors.AsSpan((start + b) * Features, Features));
            }
        }

        return new WindowScores(scores, featureErrors, Features);
    }

    /// <summary>Every full window of the rows, normalised and flattened (row-major: sample, then feature).</summary>
    public (float[] Windows, int Count) Windows(IReadOnlyList<float[]> rows)
    {
        var count = rows.Count - Window + 1;
        if (count < 1)
        {
            throw new ArgumentException($"{rows.Count} rows hold no window of {Window} samples.", nameof(rows));
        }

        var normalised = Normaliser.ApplyToRows(rows);

        var size = Window * Features;
        var windows = new float[count * size];
        for (var w = 0; w < count; w++)
        {
            normalised.AsSpan(w * Features, size).CopyTo(windows.AsSpan(w * size, size));
        }

        return (windows, count);
    }
}

/// <summary>Scores of consecutive windows and, per window, the squared error of each feature of its newest sample.</summary>
public sealed record WindowScores(float[] Scores, float[] FeatureErrors, int Features)
{
    public ReadOnlySpan<float> FeatureErrorsOf(int window) => FeatureErrors.AsSpan(window * Features, Features);

    /// <summary>Writes each feature's squared error of <paramref name="modelled"/> against <paramref name="actual"/>; returns their mean (the score).</summary>
    public static float SquaredErrors(ReadOnlySpan<float> modelled, ReadOnlySpan<float> actual, Span<float> errors)
    {
        double total = 0;
        for (var f = 0; f < errors.Length; f++)
        {
            var d = modelled[f] - actual[f];
            errors[f] = d * d;
            total += d * d;
        }

        return (float)(total / errors.Length);
    }
}
