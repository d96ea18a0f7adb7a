using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Training.Tests;

public class OnnxExportTests
{
    private static Sequential Network(int seed)
    {
        var random = new Random(seed);
        return new Sequential(
        [
            new DenseLayer(12, 8, random), new ActivationLayer(Activation.Relu, 8),
            new DenseLayer(8, 3, random), new ActivationLayer(Activation.Tanh, 3),
            new DenseLayer(3, 12, random),
        ]);
    }

    [Fact]
    public void OnnxRuntime_AgreesWithTheCSharpForwardPass()
    {
        var network = Network(seed: 1);
        var random = new Random(2);
        const int batch = 17;
        var input = Enumerable.Range(0, batch * 12).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var expected = network.Forward(input, batch);

        var bytes = OnnxExporter.ToBytes(OnnxExporter.Export(network, "window", "reconstruction"));
        using var session = new InferenceSession(bytes);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [batch, 12]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["window"], [tensor], ["reconstruction"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal([batch, 12], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void Export_DeclaresNamesShapesOpsetAndMetadata()
    {
        var model = OnnxExporter.Export(Network(seed: 3), "window", "reconstruction", new Dictionary<string, string> { ["kind"] = "autoencoder" });

        using var session = new InferenceSession(OnnxExporter.ToBytes(model));
        Assert.Equal(["window"], session.InputMetadata.Keys);
        Assert.Equal([-1, 12], session.InputMetadata["window"].Dimensions);
        Assert.Equal(["reconstruction"], session.OutputMetadata.Keys);
        Assert.Equal("autoencoder", session.ModelMetadata.CustomMetadataMap["kind"]);
        Assert.Equal(OnnxExporter.Opset, model.OpsetImport.Single().Version);
    }

    [Fact]
    public void Export_SameNetwork_SameBytes()
    {
        Assert.Equal(OnnxExporter.ToBytes(OnnxExporter.Export(Network(4), "x", "y")), OnnxExporter.ToBytes(OnnxExporter.Export(Network(4), "x", "y")));
        Assert.NotEqual(OnnxExporter.ToBytes(OnnxExporter.Export(Network(4), "x", "y")), OnnxExporter.ToBytes(OnnxExporter.Export(Network(5), "x", "y")));
    }
}
