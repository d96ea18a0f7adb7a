using System.Runtime.InteropServices;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx.Proto;
using Google.Protobuf;

namespace FleetGrains.Training.Onnx;

/// <summary>
/// Writes a <see cref="Sequential"/> network as an ONNX model of standard operators at
/// <see cref="Opset"/>: a dense layer becomes <c>Gemm</c> (transB = 1, weights [out, in]),
/// an activation becomes <c>Relu</c> or <c>Tanh</c>. The input is [batch, InputSize] float32 with a
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
        graph.Input.Add(FloatMatrix(inputName, network.InputSize));
        graph.Output.Add(FloatMatrix(outputName, network.OutputSize));

        var current = inputName;
        for (var i = 0; i < network.Layers.Count; i++)
        {
            var output = i == network.Layers.Count - 1 ? outputName : $"h{i}";
            graph.Node.Add(network.Layers[i] switch
            {
                DenseLayer dense => Gemm(graph, dense, i, current, output),
                ActivationLayer activation => new NodeProto { Name = $"{activation.Activation}{i}", OpType = activation.Activation.ToString(), Input = { current }, Output = { output } },
                var other => throw new NotSupportedException($"Layer {other.GetType().Name} has no ONNX export."),
            });
            current = output;
        }

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

    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();

    private static NodeProto Gemm(GraphProto graph, DenseLayer dense, int index, string input, string output)
    {
        var weight = $"W{index}";
        var bias = $"B{index}";
        graph.Initializer.Add(FloatTensor(weight, dense.Weight));
        graph.Initializer.Add(FloatTensor(bias, dense.Bias));
        return new NodeProto
        {
            Name = $"Gemm{index}",
            OpType = "Gemm",
            Input = { input, weight, bias },
            Output = { output },
            Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
        };
    }

    private static TensorProto FloatTensor(string name, Parameter parameter)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
        }

        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(parameter.Value.AsSpan())),
        };
        tensor.Dims.AddRange(parameter.Shape.Select(d => (long)d));
        return tensor;
    }

    private static ValueInfoProto FloatMatrix(string name, int columns) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = "batch" },
                        new TensorShapeProto.Types.Dimension { DimValue = columns },
                    },
                },
            },
        },
    };
}
