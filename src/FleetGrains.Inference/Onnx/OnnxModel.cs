using System.Globalization;
using System.Security.Cryptography;
using FleetGrains.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Inference.Onnx;

/// <summary>
/// One loaded model that follows the FleetGrains model contract (models/README.md): input <c>window</c>
/// [batch, W·F] of raw readings; outputs <c>score</c> [batch] and <c>feature_errors</c> [batch, F]
/// (anomaly models: window autoencoders and forecasters) or <c>rul</c> [batch]; metadata <c>fleetgrains.kind</c>, <c>.window</c>,
/// <c>.features</c>. Input and output buffers are reused from run to run, so <see cref="Run"/> must not
/// be called concurrently (the model host runs one merged batch at a time).
/// </summary>
public sealed class OnnxModel : IDisposable
{
    public const string InputName = "window";
    public const string ScoreOutput = "score";
    public const string FeatureErrorsOutput = "feature_errors";
    public const string RulOutput = "rul";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [InputName];
    private readonly string[] _outputNames;
    private float[] _input = [];

    private OnnxModel(InferenceSession session, ModelDescription description)
    {
        _session = session;
        Description = description;
        _outputNames = description.Kind.ScoresAnomalies() ? [ScoreOutput, FeatureErrorsOutput] : [RulOutput];
    }

    public ModelDescription Description { get; }

    /// <summary>Floats per row: W · F.</summary>
    public int RowWidth => Description.Window * Description.Features;

    /// <summary>Loads <paramref name="path"/> and checks that it follows the model contract.</summary>
    public static OnnxModel Load(ModelRef model, string path, SessionFactory sessions)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model {model} has no file at {Path.GetFullPath(path)}.", path);
        }

        var session = sessions.Create(path);
        try
        {
            return new OnnxModel(session, Describe(model, path, session));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs every row of <paramref name="requests"/> in one ONNX Runtime run and answers each request
    /// with its own rows. Each request's windows are copied once, into the reused input buffer.
    /// </summary>
    public ScoringResult[] Run(IReadOnlyList<ScoringRequest> requests)
    {
        var width = RowWidth;
        var rows = 0;
        foreach (var request in requests)
        {
            if (request.Rows < 1 || request.Windows.Length != request.Rows * width)
            {
                throw new ArgumentException($"Model {Description.Model} reads rows of {width} values ({Description.Window} samples × {Description.Features} features); got {request.Windows.Length} values for {request.Rows} row(s).");
            }

            rows += request.Rows;
        }

        var features = Description.Kind.ScoresAnomalies() ? Description.Features : 0;
        Grow(ref _input, rows * width);
        var offset = 0;
        foreach (var request in requests)
        {
            request.Windows.Span.CopyTo(_input.AsSpan(offset));
            offset += request.Windows.Length;
        }

        // The model writes its outputs straight into pooled memory that the answers share (no array per request).
        var output = new PooledRunOutput(rows, rows * features, requests.Count);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, rows * width), [rows, width]);
        using var values = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.Values.AsMemory(0, rows), [rows]);
        if (features > 0)
        {
            using var errors = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.FeatureErrors.AsMemory(0, rows * features), [rows, features]);
            _session.Run(null, _inputNames, [input], _outputNames, [values, errors]);
        }
        else
        {
            _session.Run(null, _inputNames, [input], _outputNames, [values]);
        }

        var results = new ScoringResult[requests.Count];
        var first = 0;
        for (var i = 0; i < results.Length; i++)
        {
            var count = requests[i].Rows;
            results[i] = new ScoringResult(
                Description.Model, output.Values.AsMemory(first, count), output.FeatureErrors.AsMemory(first * features, count * features), features)
                .HeldFrom(output);
            first += count;
        }

        return results;
    }

    public void Dispose() => _session.Dispose();

    private static ModelDescription Describe(ModelRef model, string path, InferenceSession session)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var kind = Metadata(metadata, "fleetgrains.kind", path) switch
        {
            "window-autoencoder" => ModelKind.WindowAutoencoder,
            "window-forecaster" => ModelKind.WindowForecaster,
            "rul" => ModelKind.Rul,
            var other => throw new InvalidDataException($"{path}: fleetgrains.kind '{other}' is none of window-autoencoder, window-forecaster and rul."),
        };
        var window = PositiveInt(metadata, "fleetgrains.window", path);
        var features = PositiveInt(metadata, "fleetgrains.features", path);
        if (!session.InputMetadata.TryGetValue(InputName, out var input) || input.Dimensions is not [_, var width] || width != window * features)
        {
            throw new InvalidDataException($"{path}: expected an input '{InputName}' of shape [batch, {window * features}].");
        }

        string[] outputs = kind.ScoresAnomalies() ? [ScoreOutput, FeatureErrorsOutput] : [RulOutput];
        foreach (var output in outputs.Where(o => !session.OutputMetadata.ContainsKey(o)))
        {
            throw new InvalidDataException($"{path}: a {kind} model must have an output '{output}'.");
        }

        using var file = File.OpenRead(path);
        return new ModelDescription(model, kind, window, features, Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    private static string Metadata(Dictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{path}: metadata '{key}' is missing; see the model contract in models/README.md.");

    private static int PositiveInt(Dictionary<string, string> metadata, string key, string path) =>
        int.TryParse(Metadata(metadata, key, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidDataException($"{path}: metadata '{key}' must be a positive integer.");

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[Math.Max(length, buffer.Length * 2)];
        }
    }
}
