using System.Buffers;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.Extensions.DependencyInjection;

namespace FleetGrains.Inference.Tests;

public sealed class OnnxModelTests : IDisposable
{
    private static readonly ModelRef Model = new("pump-autoencoder", 1);

    private readonly TestModels _models = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public void Run_AutoencoderFile_GivesTheTrainingCodesScoresAndExplanations()
    {
        var reference = _models.WriteAutoencoder(Model);
        using var model = OnnxModel.Load(Model, _models.Files().PathOf(Model), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()));
        var rows = TestModels.Rows(40, seed: 9);
        var expected = reference.Score(rows);

        // The ONNX model takes raw readings: W consecutive rows, oldest first, flattened.
        var windows = Enumerable.Range(0, rows.Count - TestModels.Window + 1)
            .SelectMany(end => rows.Skip(end).Take(TestModels.Window).SelectMany(r => r)).ToArray();
        var result = RunOne(model, windows, expected.Scores.Length);

        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_models.Files().PathOf(Model))));
        Assert.Equal(new ModelDescription(Model, ModelKind.WindowAutoencoder, TestModels.Window, TestModels.Features, sha256), model.Description);
        Assert.Equal(expected.Scores.Length, result.Rows);
        for (var i = 0; i < result.Rows; i++)
        {
            Assert.Equal(expected.Scores[i], result.Values.Span[i], 1e-4f);
        }

        for (var i = 0; i < result.FeatureErrors.Length; i++)
        {
            Assert.Equal(expected.FeatureErrors[i], result.FeatureErrors.Span[i], 1e-4f);
        }
    }

    [Fact]
    public void Run_LstmForecasterFile_GivesTheTrainingCodesScoresAndExplanations()
    {
        var forecaster = new ModelRef("pump-forecaster", 1);
        var reference = _models.WriteForecaster(forecaster);
        using var model = OnnxModel.Load(forecaster, _models.Files().PathOf(forecaster), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()));
        var rows = TestModels.Rows(40, seed: 9);
        var expected = reference.Score(rows);

        var windows = Enumerable.Range(0, rows.Count - TestModels.Window + 1)
            .SelectMany(end => rows.Skip(end).Take(TestModels.Window).SelectMany(r => r)).ToArray();
        var result = RunOne(model, windows, expected.Scores.Length);

        Assert.Equal((ModelKind.WindowForecaster, TestModels.Window, TestModels.Features), (model.Description.Kind, model.Description.Window, model.Description.Features));
        Assert.True(model.Description.Kind.ScoresAnomalies());
        Assert.Equal(expected.Scores.Length, result.Rows);
        for (var i = 0; i < result.Rows; i++)
        {
            Assert.Equal(expected.Scores[i], result.Values.Span[i], 1e-4f);
        }

        for (var i = 0; i < result.FeatureErrors.Length; i++)
        {
            Assert.Equal(expected.FeatureErrors[i], result.FeatureErrors.Span[i], 1e-4f);
        }
    }

    [Fact]
    public void Run_RepeatedWithFewerRows_ReusesBuffersWithoutMixingRuns()
    {
        _models.WriteAutoencoder(Model);
        using var model = OnnxModel.Load(Model, _models.Files().PathOf(Model), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()));
        var rows = TestModels.Rows(10, seed: 3).SelectMany(r => r).ToArray();
        var five = RunOne(model, rows[..(5 * model.RowWidth)], 5);
        var two = RunOne(model, rows[..(2 * model.RowWidth)], 2);

        Assert.Equal(2, two.Rows);
        Assert.Equal(five.Values[..2].ToArray(), two.Values.ToArray());
        Assert.Equal(five.FeatureErrors[..(2 * TestModels.Features)].ToArray(), two.FeatureErrors.ToArray());
        Assert.False(two.Values.Equals(RunOne(model, rows[..(2 * model.RowWidth)], 2).Values), "a later run wrote over an answer still held");
    }

    [Fact]
    public void Run_AnswersShareTheRunsPooledOutputs_WhichGoBackWhenEveryAnswerWasReleased()
    {
        _models.WriteAutoencoder(Model);
        using var model = OnnxModel.Load(Model, _models.Files().PathOf(Model), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()));
        var rows = TestModels.Rows(20, seed: 4).SelectMany(r => r).ToArray();
        var width = model.RowWidth;
        // 10 rows: the scores (10) and the errors (30) are rented from different sizes of the pool.
        var results = model.Run([new ScoringRequest(rows[..(2 * width)], 2), new ScoringRequest(rows[(2 * width)..(10 * width)], 8)]);
        Assert.True(MemoryMarshal.TryGetArray(results[0].Values, out var first));
        Assert.True(MemoryMarshal.TryGetArray(results[1].Values, out var second));
        Assert.Same(first.Array, second.Array);
        var kept = results[1].Values.ToArray();

        results[0].Release();
        results[0].Release(); // a second release of the same answer gives up nothing more

        // Memory given back to the shared pool comes out again at the next rent of its size on this thread.
        Assert.NotSame(first.Array, ArrayPool<float>.Shared.Rent(first.Array!.Length));
        Assert.Equal(kept, results[1].Values.ToArray());
        results[1].Release();
        Assert.Same(first.Array, ArrayPool<float>.Shared.Rent(first.Array.Length));
    }

    [Fact]
    public void Run_RowsOfTheWrongWidth_FailWithAClearError()
    {
        _models.WriteAutoencoder(Model);
        using var model = OnnxModel.Load(Model, _models.Files().PathOf(Model), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()));
        var error = Assert.Throws<ArgumentException>(() => RunOne(model, new float[5], 1));
        Assert.Contains("2 samples × 3 features", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AFileWithoutTheContractsMetadata_FailsNamingWhatIsMissing()
    {
        var network = new Sequential([new DenseLayer(6, 6, new Random(1), "d")]);
        _models.Write(Model, OnnxExporter.ToBytes(OnnxExporter.Export(network, "window", "score")));
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(Model, _models.Files().PathOf(Model), TestModels.Sessions(ExecutionProvider.Cpu, Metrics())));
        Assert.Contains("fleetgrains.kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AMissingFile_NamesThePath()
    {
        var missing = new ModelRef("absent", 3);
        var error = Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(missing, _models.Files().PathOf(missing), TestModels.Sessions(ExecutionProvider.Cpu, Metrics())));
        Assert.Contains("absent.v3.onnx", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../etc/passwd", 1)]
    [InlineData("a/b", 1)]
    [InlineData("pump", 0)]
    public void PathOf_IdsWithPathsOrVersionsBelowOne_AreRefused(string id, int version) =>
        Assert.Throws<ArgumentException>(() => _models.Files().PathOf(new ModelRef(id, version)));

    [Theory]
    [InlineData(ExecutionProvider.Cuda)]
    [InlineData(ExecutionProvider.TensorRt)]
    public void Create_WithAGpuProviderThisBuildLacks_ServesOnCpuAndSaysWhy(ExecutionProvider provider)
    {
        var reference = _models.WriteAutoencoder(Model);
        using var fallbacks = new MeterListener();
        long fallbackCount = 0;
        fallbacks.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == InferenceMetrics.ProviderFallbackCounter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        fallbacks.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref fallbackCount, value));
        fallbacks.Start();

        var sessions = TestModels.Sessions(provider, Metrics());
        using var model = OnnxModel.Load(Model, _models.Files().PathOf(Model), sessions);
        using var again = OnnxModel.Load(Model, _models.Files().PathOf(Model), sessions);

        Assert.Equal(new ProviderStatus(provider, ExecutionProvider.Cpu, sessions.Status.FallbackReason), sessions.Status);
        Assert.Contains(provider.ToString(), sessions.Status.FallbackReason, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", sessions.Status.FallbackReason, StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref fallbackCount));
        var rows = TestModels.Rows(2, seed: 4);
        Assert.Equal(reference.Score(rows).Scores[0], RunOne(model, rows.SelectMany(r => r).ToArray(), 1).Values.Span[0], 1e-4f);
    }

    [Fact]
    public void Status_WithCpuConfigured_ReportsCpuWithoutFallback() =>
        Assert.Equal(new ProviderStatus(ExecutionProvider.Cpu, ExecutionProvider.Cpu, null), TestModels.Sessions(ExecutionProvider.Cpu, Metrics()).Status);

    public void Dispose()
    {
        _models.Dispose();
        _services.Dispose();
    }

    private static ScoringResult RunOne(OnnxModel model, float[] windows, int rows) => model.Run([new ScoringRequest(windows, rows)])[0];

    private InferenceMetrics Metrics() => new(_services.GetRequiredService<IMeterFactory>());
}
