using FleetGrains.Training.Models;
using FleetGrains.Training.Onnx.Proto;

namespace FleetGrains.Training.Onnx;

/// <summary>
/// Exports a <see cref="WindowForecaster"/> as a self-contained scoring model with the outputs a server reads from
/// any anomaly model (the autoencoder's): it takes raw readings and applies the model's own normalisation.
/// <list type="bullet">
/// <item><c>window</c> [batch, W·F] float32: W samples of F raw readings, oldest first, row-major.</item>
/// <item><c>score</c> [batch]: mean squared error of the prediction of the window's newest sample (normalised).</item>
/// <item><c>feature_errors</c> [batch, F]: that prediction's squared error per feature.</item>
/// <item><c>prediction</c> [batch, F]: the predicted newest sample, normalised.</item>
/// </list>
/// </summary>
public static class ForecasterExporter
{
    public const string Input = "window";
    public const string Score = "score";
    public const string FeatureErrors = "feature_errors";
    public const string Prediction = "prediction";

    public static ModelProto Export(WindowForecaster model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (w, f) = (model.Window, model.Features);
        var size = w * f;
        var graph = new GraphProto { Name = "window_forecaster" };
        graph.Input.Add(OnnxExporter.FloatTensorInfo(Input, size));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(Score));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(FeatureErrors, f));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(Prediction, f));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("columns", 1));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("history_start", 0));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("newest_start", (w - 1) * f));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("newest_end", size));
        OnnxExporter.AppendNormalisation(graph, model.Normaliser, w, Input, "normalised");
        graph.Node.Add(OnnxExporter.Node("Slice", ["normalised", "history_start", "newest_start", "columns"], "history"));
        graph.Node.Add(OnnxExporter.Node("Slice", ["normalised", "newest_start", "newest_end", "columns"], "newest"));
        OnnxExporter.AppendNetwork(graph, model.Network, "history", Prediction);
        graph.Node.Add(OnnxExporter.Node("Sub", [Prediction, "newest"], "error"));
        graph.Node.Add(OnnxExporter.Node("Mul", ["error", "error"], FeatureErrors));
        graph.Node.Add(OnnxExporter.Node("ReduceMean", [FeatureErrors], Score, OnnxExporter.IntsAttribute("axes", 1), OnnxExporter.IntAttribute("keepdims", 0)));

        return OnnxExporter.Model(graph, OnnxExporter.WindowModelCard("window-forecaster", w, f, metadata));
    }
}
