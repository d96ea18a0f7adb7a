using System.Numerics.Tensors;

namespace FleetGrains.Training.Nn;

public enum Activation
{
    Relu,
    Tanh,
}

/// <summary>An element-wise activation; its ONNX operator has the same name.</summary>
public sealed class ActivationLayer(Activation activation, int size) : ILayer
{
    public Activation Activation { get; } = activation;

    public int InputSize { get; } = size;

    public int OutputSize { get; } = size;

    public IReadOnlyList<Parameter> Parameters { get; } = [];

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var n = batch * InputSize;
        switch (Activation)
        {
            case Activation.Relu:
                TensorPrimitives.Max(input[..n], 0f, output[..n]);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(input[..n], output[..n]);
                break;
        }
    }

    public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        var n = batch * InputSize;
        for (var i = 0; i < n; i++)
        {
            inputGradient[i] = Activation switch
            {
                Activation.Relu => input[i] > 0 ? outputGradient[i] : 0f,
                _ => outputGradient[i] * (1 - (output[i] * output[i])),
            };
        }
    }
}
