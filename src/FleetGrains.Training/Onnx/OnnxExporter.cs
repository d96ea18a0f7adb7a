using System.Runtime.InteropServices;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx.Proto;
using Google.Protobuf;

namespace FleetGrains.Training.Onnx;

/// <summary>
/// Writes a <see cref="Sequential"/> network as an ONNX model of standard operators at
/// <see cref="Opset"/>: a dense layer becomes <c>Gemm</c> (transB = 1, weights [out, in]), a
/// convolution over time <c>Conv</c>, an LSTM layer <c>LSTM</c> (between a Reshape and Transposes to its
/// [steps, batch, features] layout), an activation <c>Relu</c> or <c>Tanh</c>. The input is [batch, InputSize] float32 with a
/// symbolic batch dimension; the output is [batch, OutputSize]. The same network gives the same bytes.
/// </summary>
public static class OnnxExporter
{
    public const int Opset = 17;
    public const long IrVersion = 8;
    public const string Producer = "FleetGrains.Training";

    public static ModelProto Export(Sequential network, string inputName, string outputName, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new GraphProto { Name = "fleetgrains" };
        graph.Input.Add(FloatTensorInfo(inputName, network.InputSize));
        graph.Output.Add(FloatTensorInfo(outputName, network.OutputSize));
        AppendNetwork(graph, network, inputName, outputName);
        return Model(graph, metadata);
    }

    /// <summary>A model of <paramref name="graph"/> at this exporter's IR version and opset, with sorted metadata.</summary>
    public static ModelProto Model(GraphProto graph, IReadOnlyDictionary<string, string>? metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = Producer,
            ProducerVersion = "1",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
        };
        foreach (var (key, value) in (metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>
    /// Adds the network's nodes and weights to <paramref name="graph"/>, from value <paramref name="input"/>
    /// to value <paramref name="output"/>; every name it creates starts with <paramref name="prefix"/>, so
    /// several networks can share a graph.
    /// </summary>
    public static void AppendNetwork(GraphProto graph, Sequential network, string input, string output, string prefix = "")
    {
        // Between layers values are [batch, size]; a convolution needs [batch, channels, length], and a
        // dense layer after it needs [batch, size] again: Reshape and Flatten bridge the two.
        var current = input;
        var temporal = false;
        for (var i = 0; i < network.Layers.Count; i++)
        {
            var last = i == network.Layers.Count - 1;
            var next = last ? output : $"{prefix}h{i}";
            var layer = network.Layers[i];
            if (layer is LstmLayer lstm)
            {
                if (temporal)
                {
                    throw new NotSupportedException("An LSTM layer right after a convolution has no ONNX export: it reads time-major rows, a convolution writes channel-major ones.");
                }

                AppendLstm(graph, lstm, $"{prefix}{i}", current, next);
                current = next;
                continue;
            }

            if (layer is Conv1DLayer conv && !temporal)
            {
                graph.Initializer.Add(Int64Tensor($"{prefix}shape{i}", -1, conv.Channels, conv.Length));
                graph.Node.Add(Node("Reshape", [current, $"{prefix}shape{i}"], $"{prefix}in{i}_by_channel"));
                current = $"{prefix}in{i}_by_channel";
                temporal = true;
            }
            else if (layer is DenseLayer && temporal)
            {
                graph.Node.Add(Node("Flatten", [current], $"{prefix}in{i}_flat", IntAttribute("axis", 1)));
                current = $"{prefix}in{i}_flat";
                temporal = false;
            }

            var result = last && temporal ? $"{next}_by_channel" : next;
            graph.Node.Add(layer switch
            {
                DenseLayer dense => Gemm(graph, dense, $"{prefix}{i}", current, result),
                Conv1DLayer convolution => Conv(graph, convolution, $"{prefix}{i}", current, result),
                ActivationLayer activation => Node(activation.Activation.ToString(), [current], result),
                var other => throw new NotSupportedException($"Layer {other.GetType().Name} has no ONNX export."),
            });
            if (last && temporal)
            {
                graph.Node.Add(Node("Flatten", [result], next, IntAttribute("axis", 1)));
            }

            current = next;
        }
    }

    /// <summary>
    /// Adds the nodes that normalise a raw window [batch, W·F] from value <paramref name="input"/> into value
    /// <paramref name="output"/> with <paramref name="normaliser"/>'s per-feature numbers, tiled over the W samples.
    /// </summary>
    public static void AppendNormalisation(GraphProto graph, Models.Normaliser normaliser, int window, string input, string output)
    {
        var f = normaliser.Features;
        var size = window * f;
        var tiledMean = new float[size];
        var tiledInverseStd = new float[size];
        for (var i = 0; i < size; i++)
        {
            tiledMean[i] = normaliser.Mean[i % f];
            tiledInverseStd[i] = 1f / normaliser.Std[i % f];
        }

        graph.Initializer.Add(FloatTensor("norm_mean", tiledMean, size));
        graph.Initializer.Add(FloatTensor("norm_inv_std", tiledInverseStd, size));
        graph.Node.Add(Node("Sub", [input, "norm_mean"], "centred"));
        graph.Node.Add(Node("Mul", ["centred", "norm_inv_std"], output));
    }

    /// <summary>The metadata of a window model of <paramref name="kind"/> (the model contract), beside <paramref name="metadata"/>.</summary>
    public static Dictionary<string, string> WindowModelCard(string kind, int window, int features, IReadOnlyDictionary<string, string>? metadata) =>
        new(metadata ?? new Dictionary<string, string>())
        {
            ["fleetgrains.kind"] = kind,
            ["fleetgrains.window"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["fleetgrains.features"] = features.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

    public static NodeProto Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = output, OpType = opType, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
        }

        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static TensorProto Int64Tensor(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { values.Length } };
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A rank-0 int64 tensor.</summary>
    public static TensorProto Int64Scalar(string name, long value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        return tensor;
    }

    /// <summary>A float32 value of shape [batch, columns...] with a symbolic batch dimension.</summary>
    public static ValueInfoProto FloatTensorInfo(string name, params int[] columns)
    {
        var shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" } } };
        shape.Dim.AddRange(columns.Select(c => new TensorShapeProto.Types.Dimension { DimValue = c }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();

    private static NodeProto Conv(GraphProto graph, Conv1DLayer conv, string index, string input, string output)
    {
        var weight = $"W{index}";
        var bias = $"B{index}";
        graph.Initializer.Add(FloatTensor(weight, conv.Weight.Value, conv.Filters, conv.Channels, conv.Kernel));
        graph.Initializer.Add(FloatTensor(bias, conv.Bias.Value, conv.Filters));
        var kernelShape = IntsAttribute("kernel_shape", conv.Kernel);
        return conv.PadBefore + conv.PadAfter == 0
            ? Node("Conv", [input, weight, bias], output, kernelShape)
            : Node("Conv", [input, weight, bias], output, kernelShape, IntsAttribute("pads", conv.PadBefore, conv.PadAfter));
    }

    // [batch, steps·features] → [steps, batch, features] → LSTM → the last hidden state [batch, hidden], or every
    // step's [batch, steps·hidden] (time-major, as the layer writes it).
    private static void AppendLstm(GraphProto graph, LstmLayer lstm, string index, string input, string output)
    {
        var (steps, features, hidden) = (lstm.Steps, lstm.Features, lstm.Hidden);
        graph.Initializer.Add(Int64Tensor($"lstm{index}_in_shape", -1, steps, features));
        graph.Node.Add(Node("Reshape", [input, $"lstm{index}_in_shape"], $"lstm{index}_by_step"));
        graph.Node.Add(Node("Transpose", [$"lstm{index}_by_step"], $"lstm{index}_x", IntsAttribute("perm", 1, 0, 2)));
        graph.Initializer.Add(FloatTensor($"W{index}", lstm.Weight.Value, 1, 4 * hidden, features));
        graph.Initializer.Add(FloatTensor($"R{index}", lstm.Recurrence.Value, 1, 4 * hidden, hidden));
        graph.Initializer.Add(FloatTensor($"B{index}", [.. lstm.Bias.Value, .. new float[4 * hidden]], 1, 8 * hidden));
        var node = new NodeProto { Name = $"lstm{index}", OpType = "LSTM", Attribute = { IntAttribute("hidden_size", hidden) } };
        node.Input.AddRange([$"lstm{index}_x", $"W{index}", $"R{index}", $"B{index}"]);
        if (lstm.ReturnSequences)
        {
            node.Output.Add($"lstm{index}_y"); // [steps, 1, batch, hidden]
            graph.Node.Add(node);
            graph.Node.Add(Node("Transpose", [$"lstm{index}_y"], $"lstm{index}_y_by_row", IntsAttribute("perm", 2, 0, 1, 3)));
            graph.Initializer.Add(Int64Tensor($"lstm{index}_out_shape", -1, steps * hidden));
            graph.Node.Add(Node("Reshape", [$"lstm{index}_y_by_row", $"lstm{index}_out_shape"], output));
        }
        else
        {
            node.Output.AddRange(["", $"lstm{index}_h"]); // Y_h: [1, batch, hidden]
            graph.Node.Add(node);
            graph.Initializer.Add(Int64Tensor($"lstm{index}_out_shape", -1, hidden));
            graph.Node.Add(Node("Reshape", [$"lstm{index}_h", $"lstm{index}_out_shape"], output));
        }
    }

    private static NodeProto Gemm(GraphProto graph, DenseLayer dense, string index, string input, string output)
    {
        var weight = $"W{index}";
        var bias = $"B{index}";
        graph.Initializer.Add(FloatTensor(weight, dense.Weight.Value, dense.OutputSize, dense.InputSize));
        graph.Initializer.Add(FloatTensor(bias, dense.Bias.Value, dense.OutputSize));
        return Node("Gemm", [input, weight, bias], output, IntAttribute("transB", 1));
    }
}
