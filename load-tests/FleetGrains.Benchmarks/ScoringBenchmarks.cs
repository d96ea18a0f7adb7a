using BenchmarkDotNet.Attributes;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.Options;

namespace FleetGrains.Benchmarks;

/// <summary>
/// Scoring one device's window: with the built-in statistical scorer (W = 32, F = 8), and with a committed
/// ONNX autoencoder through <see cref="OnnxModel"/>, one row and a batch of 256 rows (figures per row).
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    public const int BatchRows = 256;
    private readonly RingBuffer _window = new(32, 8);
    private readonly RunningStatistics _statistics = new(8);
    private readonly StatisticalScorer _scorer = new(Options.Create(new StatisticalScorerOptions()));
    private OnnxModel _model = null!;
    private ScoringRequest _oneRow = null!;
    private ScoringRequest[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 64; i++)
        {
            float[] reading = [.. Enumerable.Range(0, 8).Select(f => (float)(f + Math.Sin(i + f)))];
            _window.Append(i, reading);
            _statistics.Add(reading);
        }

        var sessions = SessionFactory.Standalone();
        var model = new ModelRef("smd-machine-1-2-autoencoder", 1);
        _model = OnnxModel.Load(model, Path.Combine(AppContext.BaseDirectory, "models", $"{model.Id}.onnx"), sessions);
        float[] row = [.. Enumerable.Range(0, _model.RowWidth).Select(i => (float)(0.5 + (0.1 * Math.Sin(i))))];
        _oneRow = new ScoringRequest(row, 1);
        _batch = [.. Enumerable.Range(0, BatchRows).Select(_ => _oneRow)];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public float StatisticalScoreWindow() => _scorer.Score(_window, _statistics, topCount: 3).Value;

    [Benchmark]
    public float OnnxAutoencoderOneRow() => _model.Run([_oneRow])[0].Values.Span[0];

    [Benchmark(OperationsPerInvoke = BatchRows)]
    public int OnnxAutoencoderBatchOf256PerRow() => _model.Run(_batch).Length;
}
