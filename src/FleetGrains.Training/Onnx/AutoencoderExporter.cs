using FleetGrains.Training.Models;
using FleetGrains.Training.Onnx.Proto;

namespace FleetGrains.Training.Onnx;

/// <summary>
/// Exports a <see cref="WindowAutoencoder"/> as a self-contained scoring model: it takes raw readings
/// and applies the model's own normalisation, so a server needs nothing but the file.
/// <list type="bullet">
/// <item><c>window</c> [batch, W·F] float32: W samples of F raw readings, oldest first, row-major.</item>
/// <item><c>score</c> [batch]: mean squared reconstruction error of the window's newest sample (normalised).</item>
/// <item><c>feature_errors</c> [batch, F]: that sample's squared error per feature.</item>
/// <item><c>reconstruction</c> [batch, W·F]: the reconstructed, normalised window.</item>
/// </list>
/// </summary>
public static class AutoencoderExporter
{
    public const string Input = "window";
    public const string Score = "score";
    public const string FeatureErrors = "feature_errors";
    public const string Reconstruction = "reconstruction";

    public static ModelProto Export(WindowAutoencoder model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var w = model.Window;
        var f = model.Features;
        var size = w * f;
        var graph = new GraphProto { Name = "window_autoencoder" };
        graph.Input.Add(OnnxExporter.FloatTensorInfo(Input, size));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(Score));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(FeatureErrors, f));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(Reconstruction, size));
        OnnxExporter.AppendNormalisation(graph, model.Normaliser, w, Input, "normalised");
        graph.Initializer.Add(OnnxExporter.Int64Tensor("window_shape", -1, w, f));
        graph.Initializer.Add(OnnxExporter.Int64Scalar("newest_sample", w - 1));
        OnnxExporter.AppendNetwork(graph, model.Network, "normalised", Reconstruction);
        graph.Node.Add(OnnxExporter.Node("Sub", [Reconstruction, "normalised"], "error"));
        graph.Node.Add(OnnxExporter.Node("Mul", ["error", "error"], "squared_error"));
        graph.Node.Add(OnnxExporter.Node("Reshape", ["squared_error", "window_shape"], "squared_error_by_sample"));
        graph.Node.Add(OnnxExporter.Node("Gather", ["squared_error_by_sample", "newest_sample"], FeatureErrors, OnnxExporter.IntAttribute("axis", 1)));
        graph.Node.Add(OnnxExporter.Node("ReduceMean", [FeatureErrors], Score, OnnxExporter.IntsAttribute("axes", 1), OnnxExporter.IntAttribute("keepdims", 0)));

        return OnnxExporter.Model(graph, OnnxExporter.WindowModelCard("window-autoencoder", w, f, metadata));
    }
}
