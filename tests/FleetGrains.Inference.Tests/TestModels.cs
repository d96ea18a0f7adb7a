using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.Training.Models;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Inference.Tests;

/// <summary>Small models made by the project's own training code, written where a silo looks for model files.</summary>
internal sealed class TestModels : IDisposable
{
    public const int Window = 2;
    public const int Features = 3;

    public TestModels()
    {
        Directory.CreateDirectory(ModelDirectory);
    }

    public string ModelDirectory { get; } = Path.Combine(Path.GetTempPath(), "fleetgrains-models-" + Guid.NewGuid().ToString("N"));

    /// <summary>Rows of a smooth three-feature series with some noise.</summary>
    public static List<float[]> Rows(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(t => new[]
        {
            (float)(Math.Sin(t / 5.0) + (0.1 * random.NextDouble())),
            (float)(10 + Math.Cos(t / 7.0) + (0.1 * random.NextDouble())),
            (float)(100 * random.NextDouble()),
        })];
    }

    /// <summary>An (untrained, seeded) window autoencoder written as <c>{id}.onnx</c> or <c>{id}.v{N}.onnx</c>.</summary>
    public WindowAutoencoder WriteAutoencoder(ModelRef model, int seed = 1)
    {
        var autoencoder = WindowAutoencoder.Create(Rows(200, seed), new AutoencoderOptions { Window = Window, Hidden = 8, Bottleneck = 2, Training = new TrainingOptions { Seed = seed } });
        Write(model, OnnxExporter.ToBytes(AutoencoderExporter.Export(autoencoder)));
        return autoencoder;
    }

    public WindowForecaster WriteForecaster(ModelRef model, int seed = 1)
    {
        var rows = Rows(200, seed);
        var options = new ForecasterOptions { Window = Window, Hidden = 6, Training = new TrainingOptions { Seed = seed, Epochs = 5 } };
        var forecaster = WindowForecaster.Create(rows, options);
        forecaster.Train(rows, options.Training);
        Write(model, OnnxExporter.ToBytes(ForecasterExporter.Export(forecaster)));
        return forecaster;
    }

    /// <summary>
    /// A RUL model whose prediction is plain: <c>cap − x₀</c> of the newest sample (never below 0), so a
    /// test decides a device's RUL by what it sends.
    /// </summary>
    public void WriteLinearRul(ModelRef model, float cap = 100)
    {
        var dense = new DenseLayer(Window * Features, 1, new Random(0));
        Array.Clear(dense.Weight.Value);
        dense.Weight.Value[Window - 1] = -1f / cap; // channel-major input: sensor 0's newest reading
        dense.Bias.Value[0] = 1f;
        var identity = new Normaliser(new float[Features], [.. Enumerable.Repeat(1f, Features)]);
        var rul = new RulModel(Window, [0, 1, 2], identity, cap, [new Sequential([dense])]);
        Write(model, OnnxExporter.ToBytes(RulExporter.Export(rul, Features)));
    }

    public void Write(ModelRef model, byte[] onnx) => File.WriteAllBytes(Files().PathOf(model), onnx);

    public ModelFiles Files() => new(Options.Create(new InferenceOptions { ModelDirectory = ModelDirectory }));

    public static SessionFactory Sessions(ExecutionProvider provider, InferenceMetrics metrics) =>
        new(Options.Create(new InferenceOptions { ExecutionProvider = provider }), metrics, NullLogger<SessionFactory>.Instance);

    public void Dispose() => Directory.Delete(ModelDirectory, recursive: true);
}
