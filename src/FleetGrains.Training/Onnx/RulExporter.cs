using FleetGrains.Training.Models;
using FleetGrains.Training.Onnx.Proto;

namespace FleetGrains.Training.Onnx;

/// <summary>
/// Exports a <see cref="RulModel"/> as a self-contained model over raw readings: it picks the sensors
/// it uses, normalises them, turns the window to [sensor, cycle] for convolutions (LSTMs read it as it
/// comes, [cycle, sensor]) and scales the output back to cycles. The ensemble's networks share the
/// normalised input; <c>Mean</c> averages them.
/// <list type="bullet">
/// <item><c>window</c> [batch, W·S] float32: W cycles of all S raw sensor readings (21 for C-MAPSS), oldest first, row-major.</item>
/// <item><c>rul</c> [batch]: predicted remaining useful life in cycles (≥ 0; trained with targets capped at the model's cap).</item>
/// </list>
/// </summary>
public static class RulExporter
{
    public const string Input = "window";
    public const string Output = "rul";

    public static ModelProto Export(RulModel model, int sensorCount, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var w = model.Window;
        var s = model.Sensors.Length;
        var graph = new GraphProto { Name = "rul" };
        graph.Input.Add(OnnxExporter.FloatTensorInfo(Input, w * sensorCount));
        graph.Output.Add(OnnxExporter.FloatTensorInfo(Output));

        graph.Initializer.Add(OnnxExporter.Int64Tensor("window_shape", -1, w, sensorCount));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("sensors", [.. model.Sensors.Select(i => (long)i)]));
        graph.Initializer.Add(OnnxExporter.FloatTensor("norm_mean", model.Normaliser.Mean, s));
        graph.Initializer.Add(OnnxExporter.FloatTensor("norm_inv_std", [.. model.Normaliser.Std.Select(v => 1f / v)], s));
        graph.Initializer.Add(OnnxExporter.FloatTensor("cap", [model.Cap]));
        graph.Initializer.Add(OnnxExporter.Int64Tensor("batch_shape", -1));
        graph.Node.Add(OnnxExporter.Node("Reshape", [Input, "window_shape"], "by_cycle"));
        graph.Node.Add(OnnxExporter.Node("Gather", ["by_cycle", "sensors"], "selected", OnnxExporter.IntAttribute("axis", 2)));
        graph.Node.Add(OnnxExporter.Node("Sub", ["selected", "norm_mean"], "centred"));
        graph.Node.Add(OnnxExporter.Node("Mul", ["centred", "norm_inv_std"], "normalised"));
        if (model.Network == RulNetwork.Cnn)
        {
            graph.Node.Add(OnnxExporter.Node("Transpose", ["normalised"], "by_sensor", OnnxExporter.IntsAttribute("perm", 0, 2, 1)));
            graph.Node.Add(OnnxExporter.Node("Flatten", ["by_sensor"], "features", OnnxExporter.IntAttribute("axis", 1)));
        }
        else
        {
            graph.Node.Add(OnnxExporter.Node("Flatten", ["normalised"], "features", OnnxExporter.IntAttribute("axis", 1)));
        }
        var members = model.Networks.Select((network, i) =>
        {
            var prefix = model.Networks.Count == 1 ? "" : $"m{i}_";
            OnnxExporter.AppendNetwork(graph, network, "features", $"{prefix}scaled", prefix);
            return $"{prefix}scaled";
        }).ToArray();
        if (members.Length > 1)
        {
            graph.Node.Add(OnnxExporter.Node("Mean", members, "scaled"));
        }

        graph.Node.Add(OnnxExporter.Node("Mul", ["scaled", "cap"], "cycles"));
        graph.Node.Add(OnnxExporter.Node("Relu", ["cycles"], "non_negative"));
        graph.Node.Add(OnnxExporter.Node("Reshape", ["non_negative", "batch_shape"], Output));

        var card = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["fleetgrains.kind"] = "rul",
            ["fleetgrains.window"] = w.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fleetgrains.features"] = sensorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return OnnxExporter.Model(graph, card);
    }
}
