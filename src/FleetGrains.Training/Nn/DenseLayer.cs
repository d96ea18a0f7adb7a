using System.Numerics.Tensors;

namespace FleetGrains.Training.Nn;

/// <summary>
/// y = x·Wᵀ + b, with W stored as [out, in] — exactly ONNX <c>Gemm</c> with <c>transB = 1</c>.
/// Weights start Glorot-uniform from the given random source, biases at zero.
/// </summary>
public sealed class DenseLayer : ILayer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    public DenseLayer(int inputSize, int outputSize, Random random, string name = "dense")
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        _weight = new Parameter($"{name}.weight", outputSize, inputSize);
        _bias = new Parameter($"{name}.bias", outputSize);
        var limit = (float)Math.Sqrt(6.0 / (inputSize + outputSize));
        for (var i = 0; i < _weight.Value.Length; i++)
        {
            _weight.Value[i] = (float)(((2 * random.NextDouble()) - 1) * limit);
        }

        Parameters = [_weight, _bias];
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public Parameter Weight => _weight;

    public Parameter Bias => _bias;

    public IReadOnlyList<Parameter> Parameters { get; }

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var w = _weight.Value.AsSpan();
        var b = _bias.Value;
        for (var r = 0; r < batch; r++)
        {
            var x = input.Slice(r * InputSize, InputSize);
            var y = output.Slice(r * OutputSize, OutputSize);
            for (var o = 0; o < OutputSize; o++)
            {
                y[o] = TensorPrimitives.Dot(w.Slice(o * InputSize, InputSize), x) + b[o];
            }
        }
    }

    public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        var w = _weight.Value.AsSpan();
        var dw = _weight.Gradient.AsSpan();
        var db = _bias.Gradient;
        inputGradient.Clear();
        for (var r = 0; r < batch; r++)
        {
            var x = input.Slice(r * InputSize, InputSize);
            var dx = inputGradient.Slice(r * InputSize, InputSize);
            for (var o = 0; o < OutputSize; o++)
            {
                var g = outputGradient[(r * OutputSize) + o];
                if (g == 0)
                {
                    continue;
                }

                db[o] += g;
                var dwRow = dw.Slice(o * InputSize, InputSize);
                TensorPrimitives.MultiplyAdd(x, g, dwRow, dwRow);
                TensorPrimitives.MultiplyAdd(w.Slice(o * InputSize, InputSize), g, dx, dx);
            }
        }
    }
}
