using System.Security.Cryptography;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.Training.Data;
using Microsoft.Extensions.Options;

namespace FleetGrains.Cli.Through;

/// <summary>
/// The offline side of an evaluation through the system: the very model file the server serves (checked
/// by its SHA-256), run in this process on CPU over the same windows the device grains score.
/// </summary>
public sealed class OfflineModel : IDisposable
{
    private const int RowsPerRun = 1024;

    private readonly OnnxModel _model;

    private OfflineModel(OnnxModel model, string path)
    {
        _model = model;
        Path = path;
    }

    public string Path { get; }

    public ModelDescription Description => _model.Description;

    /// <summary>
    /// Loads the local file of <paramref name="served"/> from <paramref name="modelDirectory"/> (default:
    /// the committed models beside fleetctl) and checks that it is the file the server loaded.
    /// </summary>
    public static OfflineModel Load(ModelDescription served, string? modelDirectory)
    {
        var options = Options.Create(new InferenceOptions { ModelDirectory = modelDirectory is null ? "models" : System.IO.Path.GetFullPath(modelDirectory) });
        var path = new ModelFiles(options).PathOf(served.Model);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"model {served.Model} has no local file at {path}; pass --models <dir> with the model files the server has.");
        }

        string sha256;
        using (var file = File.OpenRead(path))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        }

        if (sha256 != served.Sha256)
        {
            throw new DataFormatException($"{path} is not the file the server serves as {served.Model} (SHA-256 {sha256[..12]}… here, {served.Sha256[..Math.Min(12, served.Sha256.Length)]}… there).");
        }

        return new OfflineModel(OnnxModel.Load(served.Model, path, SessionFactory.Standalone()), path);
    }

    /// <summary>
    /// The model's output (anomaly score or RUL) for the window ending at each row, oldest sample first,
    /// as a device scores it; NaN for the first W − 1 rows, which have no full window.
    /// </summary>
    public float[] ScoreRows(IReadOnlyList<float[]> rows)
    {
        var (window, features) = (Description.Window, Description.Features);
        var values = new float[rows.Count];
        Array.Fill(values, float.NaN);
        for (var first = window - 1; first < rows.Count; first += RowsPerRun)
        {
            var count = Math.Min(RowsPerRun, rows.Count - first);
            var windows = new float[count * window * features];
            for (var r = 0; r < count; r++)
            {
                for (var age = window - 1; age >= 0; age--)
                {
                    var row = rows[first + r - age];
                    if (row.Length != features)
                    {
                        throw new DataFormatException($"row {first + r - age} has {row.Length} values; model {Description.Model} reads {features}.");
                    }

                    row.CopyTo(windows, ((r * window) + (window - 1 - age)) * features);
                }
            }

            var result = _model.Run([new ScoringRequest(windows, count)])[0];
            result.Values.Span.CopyTo(values.AsSpan(first));
            result.Release();
        }

        return values;
    }

    public void Dispose() => _model.Dispose();
}
