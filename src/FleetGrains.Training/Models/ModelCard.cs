using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleetGrains.Training.Models;

/// <summary>One input or output of a model file.</summary>
public sealed record TensorSpec(string Name, string Shape, string Meaning);

/// <summary>
/// What a committed model is and how it came about: its contract (inputs, outputs, window, features,
/// normalisation), the data and the exact command that trained it, and the quality measured on the
/// benchmark's test split.
/// </summary>
public sealed record ModelCard(
    string Name,
    string Kind,
    string OnnxFile,
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    int Window,
    int Features,
    IReadOnlyList<int>? SensorsUsed,
    float[] NormalisationMean,
    float[] NormalisationStd,
    float? RulCap,
    string TrainingData,
    string Command,
    int Seed,
    int Epochs,
    double TrainingSeconds,
    IReadOnlyDictionary<string, double> Quality)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {Name}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Kind: **{Kind}**; file `{OnnxFile}` (ONNX, opset {Onnx.OnnxExporter.Opset}); window {Window} × {Features} features.");
        md.AppendLine();
        md.AppendLine("| tensor | name | shape | meaning |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (role, spec) in Inputs.Select(i => ("input", i)).Concat(Outputs.Select(o => ("output", o))))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {role} | `{spec.Name}` | {spec.Shape} | {spec.Meaning} |");
        }

        md.AppendLine();
        md.AppendLine("Normalisation: z-score per feature with the mean and standard deviation of the training data (in the JSON card and inside the ONNX graph; send raw readings).");
        if (SensorsUsed is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Sensors used (0-based of {Features}): {string.Join(", ", SensorsUsed)}.");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Training data: {TrainingData}. Seed {Seed}, {Epochs} epochs, {TrainingSeconds:F0} s on this project's 2-core machine.");
        md.AppendLine();
        md.AppendLine("Reproduce (same bytes on the same CPU architecture):");
        md.AppendLine();
        md.AppendLine("```sh");
        md.AppendLine(Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("Measured quality (test split):");
        md.AppendLine();
        md.AppendLine("| metric | value |");
        md.AppendLine("|---|---|");
        foreach (var (metric, value) in Quality)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {value:0.000} |");
        }

        return md.ToString();
    }
}
