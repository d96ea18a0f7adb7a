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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnnxRuntime_AgreesWithTheCSharpForwardPass_ForConvolutions(bool samePadding)
    {
        var random = new Random(6);
        var conv1 = new Conv1DLayer(channels: 3, length: 10, filters: 4, kernel: samePadding ? 4 : 3, random, samePadding: samePadding);
        var conv2 = new Conv1DLayer(channels: 4, length: conv1.OutputLength, filters: 2, kernel: samePadding ? 3 : 2, random, samePadding: samePadding);
        var network = new Sequential(
        [
            conv1, new ActivationLayer(Activation.Relu, conv1.OutputSize),
            conv2, new ActivationLayer(Activation.Tanh, conv2.OutputSize),
            new DenseLayer(conv2.OutputSize, 5, random), new ActivationLayer(Activation.Tanh, 5),
            new DenseLayer(5, 1, random),
        ]);
        const int batch = 9;
        var input = Enumerable.Range(0, batch * 30).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var expected = network.Forward(input, batch);

        using var session = new InferenceSession(OnnxExporter.ToBytes(OnnxExporter.Export(network, "x", "y")));
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [batch, 30]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [tensor], ["y"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(samePadding ? 10 : 7, conv2.OutputLength);
        Assert.Equal([batch, 1], results[0].GetTensorTypeAndShape().Shape);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void OnnxRuntime_AgreesWithTheCSharpForwardPass_WhenAConvolutionIsLast()
    {
        var random = new Random(7);
        var network = new Sequential([new Conv1DLayer(channels: 2, length: 6, filters: 3, kernel: 2, random)]);
        var input = Enumerable.Range(0, 4 * 12).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = network.Forward(input, 4);

        using var session = new InferenceSession(OnnxExporter.ToBytes(OnnxExporter.Export(network, "x", "y")));
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [4, 12]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [tensor], ["y"]);

        Assert.Equal([4, 15], results[0].GetTensorTypeAndShape().Shape);
        Assert.All(expected.Zip(results[0].GetTensorDataAsSpan<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnnxRuntime_AgreesWithTheCSharpForwardPass_ForLstms(bool stacked)
    {
        var random = new Random(8);
        ILayer[] recurrent = stacked
            ? [new LstmLayer(steps: 6, features: 3, hidden: 5, random, "first", returnSequences: true), new LstmLayer(steps: 6, features: 5, hidden: 4, random, "second")]
            : [new LstmLayer(steps: 6, features: 3, hidden: 4, random)];
        var network = new Sequential([.. recurrent, new DenseLayer(4, 2, random)]);
        const int batch = 7;
        var input = Enumerable.Range(0, batch * 18).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var expected = network.Forward(input, batch);

        using var session = new InferenceSession(OnnxExporter.ToBytes(OnnxExporter.Export(network, "x", "y")));
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [batch, 18]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [tensor], ["y"]);

        Assert.Equal([batch, 2], results[0].GetTensorTypeAndShape().Shape);
        Assert.All(expected.Zip(results[0].GetTensorDataAsSpan<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void OnnxRuntime_AgreesWithTheCSharpForwardPass_ForEveryStepOfAnLstm()
    {
        var random = new Random(9);
        var network = new Sequential([new LstmLayer(steps: 5, features: 2, hidden: 3, random, returnSequences: true)]);
        var input = Enumerable.Range(0, 4 * 10).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var expected = network.Forward(input, 4);

        using var session = new InferenceSession(OnnxExporter.ToBytes(OnnxExporter.Export(network, "x", "y")));
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [4, 10]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [tensor], ["y"]);

        Assert.Equal([4, 15], results[0].GetTensorTypeAndShape().Shape);
        Assert.All(expected.Zip(results[0].GetTensorDataAsSpan<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"{p.First} vs {p.Second}"));
    }
}
