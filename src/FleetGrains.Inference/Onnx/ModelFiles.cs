using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Inference.Onnx;

/// <summary>
/// Where a model version's file is on this silo: <c>{ModelDirectory}/{id}.onnx</c> for version 1,
/// <c>{ModelDirectory}/{id}.v{N}.onnx</c> for version N. A new version is deployed by placing its file
/// beside the others; no restart is needed. A relative directory is relative to the application's own
/// directory, where the build copies the committed models (so it does not matter where it is started from).
/// </summary>
public sealed class ModelFiles(IOptions<InferenceOptions> options)
{
    /// <summary>Every model version whose file is in the model directory on this silo, by id and version.</summary>
    public IReadOnlyList<ModelRef> List()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, options.Value.ModelDirectory);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*.onnx")
            .Select(path => Parse(Path.GetFileNameWithoutExtension(path)))
            .OrderBy(model => model.Id, StringComparer.Ordinal)
            .ThenBy(model => model.Version)];
    }

    public string PathOf(ModelRef model)
    {
        if (string.IsNullOrWhiteSpace(model.Id) || model.Id.IndexOfAny(['/', '\\']) >= 0 || model.Id.Contains("..", StringComparison.Ordinal) || model.Version < 1)
        {
            throw new ArgumentException($"'{model.Id}' version {model.Version} is not a valid model: ids are file names without a path, versions start at 1.");
        }

        var name = model.Version == 1 ? $"{model.Id}.onnx" : $"{model.Id}.v{model.Version}.onnx";
        return Path.Combine(AppContext.BaseDirectory, options.Value.ModelDirectory, name);
    }

    /// <summary><c>{id}</c> is version 1, <c>{id}.v{N}</c> version N (an id may hold dots of its own).</summary>
    private static ModelRef Parse(string name)
    {
        var dot = name.LastIndexOf(".v", StringComparison.Ordinal);
        return dot > 0 && int.TryParse(name.AsSpan(dot + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) && version > 1
            ? new ModelRef(name[..dot], version)
            : new ModelRef(name, 1);
    }
}
