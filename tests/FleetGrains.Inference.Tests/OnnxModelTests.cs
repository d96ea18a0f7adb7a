using System.Diagnostics.Metrics;
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
            Assert.Equal(expected.Scores[i], result.Values[i], 1e-4f);
        }

        for (var i = 0; i < result.FeatureErrors.Length; i++)
        {
            Assert.Equal(expected.FeatureErrors[i], result.FeatureErrors[i], 1e-4f);
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
        Assert.Equal(five.Values[..2], two.Values);
        Assert.Equal(five.FeatureErrors[..(2 * TestModels.Features)], two.FeatureErrors);
        Assert.NotSame(two.Values, RunOne(model, rows[..(2 * model.RowWidth)], 2).Values);
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
        Assert.Equal(reference.Score(rows).Scores[0], RunOne(model, rows.SelectMany(r => r).ToArray(), 1).Values[0], 1e-4f);
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
