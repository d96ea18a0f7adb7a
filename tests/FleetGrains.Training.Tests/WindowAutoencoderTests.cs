using FleetGrains.Training.Models;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Training.Tests;

public class WindowAutoencoderTests
{
    private static readonly AutoencoderOptions Options = new()
    {
        Window = 8,
        Hidden = 16,
        Bottleneck = 4,
        Training = new TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = 3e-3f, Patience = 10, Seed = 7 },
    };

    private static (WindowAutoencoder Model, TrainingReport Report) Trained(int seed = 7)
    {
        var rows = SyntheticSeries.Normal(600, 3, seed: 1);
        var options = Options with { Training = Options.Training with { Seed = seed } };
        var model = WindowAutoencoder.Create(rows, options);
        return (model, model.Train(rows, options.Training));
    }

    [Fact]
    public void Training_LowersTheReconstructionError()
    {
        var (_, report) = Trained();

        Assert.True(report.BestValidationLoss < report.ValidationLoss[0] / 3, $"validation loss {report.ValidationLoss[0]} -> {report.BestValidationLoss}");
    }

    [Fact]
    public void PlantedAnomaly_ScoresFarAboveNormalWindows_AndNamesItsFeature()
    {
        var (model, _) = Trained();
        var test = SyntheticSeries.Normal(200, 3, seed: 2);
        test[120][1] += 8;

        var scores = model.Score(test);

        var anomalous = 120 - model.Window + 1; // the first window that contains row 120
        var normalMax = scores.Scores.Take(anomalous).Max();
        Assert.True(scores.Scores[anomalous] > 5 * normalMax, $"anomaly {scores.Scores[anomalous]}, normal max {normalMax}");
        var errors = scores.FeatureErrorsOf(anomalous).ToArray();
        Assert.Equal(1, Array.IndexOf(errors, errors.Max()));
    }

    [Fact]
    public void SameSeed_SameModelBytes()
    {
        var first = OnnxExporter.ToBytes(AutoencoderExporter.Export(Trained(seed: 7).Model));
        var second = OnnxExporter.ToBytes(AutoencoderExporter.Export(Trained(seed: 7).Model));
        var other = OnnxExporter.ToBytes(AutoencoderExporter.Export(Trained(seed: 8).Model));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ExportedModel_ScoresRawWindowsLikeTheCSharpModel()
    {
        var (model, _) = Trained();
        var test = SyntheticSeries.Normal(100, 3, seed: 3);
        test[50][2] -= 5;
        var expected = model.Score(test);
        var raw = new float[expected.Scores.Length * model.Window * model.Features];
        for (var w = 0; w < expected.Scores.Length; w++)
        {
            for (var s = 0; s < model.Window; s++)
            {
                test[w + s].CopyTo(raw, ((w * model.Window) + s) * model.Features);
            }
        }

        using var session = new InferenceSession(OnnxExporter.ToBytes(AutoencoderExporter.Export(model)));
        using var input = OrtValue.CreateTensorValueFromMemory(raw, [expected.Scores.Length, model.Window * model.Features]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [AutoencoderExporter.Input], [input], [AutoencoderExporter.Score, AutoencoderExporter.FeatureErrors]);
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var featureErrors = outputs[1].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(expected.Scores.Length, scores.Length);
        Assert.All(expected.Scores.Zip(scores), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
        Assert.All(expected.FeatureErrors.Zip(featureErrors), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
        Assert.Equal("window-autoencoder", session.ModelMetadata.CustomMetadataMap["fleetgrains.kind"]);
    }

    [Fact]
    public void TooFewRows_SayHowMany()
    {
        var rows = SyntheticSeries.Normal(20, 3, seed: 4);
        var model = WindowAutoencoder.Create(rows, Options);

        var ex = Assert.Throws<ArgumentException>(() => model.Score(rows.Take(5).ToList()));
        Assert.Contains("5 rows hold no window of 8 samples", ex.Message);
    }
}
