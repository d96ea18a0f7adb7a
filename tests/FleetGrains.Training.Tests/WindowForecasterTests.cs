using FleetGrains.Training.Models;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Training.Tests;

public class WindowForecasterTests
{
    private static readonly ForecasterOptions Options = new()
    {
        Window = 8,
        Hidden = 12,
        Training = new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 1e-2f, Patience = 10, Seed = 7 },
    };

    private static (WindowForecaster Model, TrainingReport Report) Trained(int seed = 7)
    {
        var rows = SyntheticSeries.Normal(600, 3, seed: 1);
        var options = Options with { Training = Options.Training with { Seed = seed } };
        var model = WindowForecaster.Create(rows, options);
        return (model, model.Train(rows, options.Training));
    }

    [Fact]
    public void Training_LowersThePredictionError()
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

        var anomalous = 120 - model.Window + 1; // the window whose newest sample is row 120
        var normalMax = scores.Scores.Take(anomalous).Max();
        Assert.True(scores.Scores[anomalous] > 5 * normalMax, $"anomaly {scores.Scores[anomalous]}, normal max {normalMax}");
        var errors = scores.FeatureErrorsOf(anomalous).ToArray();
        Assert.Equal(1, Array.IndexOf(errors, errors.Max()));
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

        using var session = new InferenceSession(OnnxExporter.ToBytes(ForecasterExporter.Export(model)));
        using var input = OrtValue.CreateTensorValueFromMemory(raw, [expected.Scores.Length, model.Window * model.Features]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [ForecasterExporter.Input], [input], [ForecasterExporter.Score, ForecasterExporter.FeatureErrors]);
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var featureErrors = outputs[1].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(expected.Scores.Length, scores.Length);
        Assert.All(expected.Scores.Zip(scores), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
        Assert.All(expected.FeatureErrors.Zip(featureErrors), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
        Assert.Equal("window-forecaster", session.ModelMetadata.CustomMetadataMap["fleetgrains.kind"]);
    }

    [Fact]
    public void AWindowOfOneSample_IsRefused()
    {
        var rows = SyntheticSeries.Normal(20, 3, seed: 4);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => WindowForecaster.Create(rows, Options with { Window = 1 }));
        Assert.Contains("at least 2", ex.Message);
    }
}
