using System.Numerics.Tensors;

namespace FleetGrains.Training.Nn;

/// <summary>
/// A one-dimensional convolution over time, stride 1: input rows are [channels, length]
/// (channel-major), output rows [filters, output length]. Without padding ("valid") the output is
/// length − kernel + 1 long; with <c>samePadding</c> the input is padded with zeros, (kernel − 1) / 2
/// before and the rest after, so the output keeps the input's length. The weights are
/// [filters, channels, kernel] — exactly ONNX <c>Conv</c> (with <c>pads</c>) on [batch, channels, length].
/// </summary>
public sealed class Conv1DLayer : ILayer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    public Conv1DLayer(int channels, int length, int filters, int kernel, Random random, string name = "conv", bool samePadding = false)
    {
        if (kernel < 1 || kernel > length)
        {
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"The kernel must be between 1 and the length ({length}).");
        }

        Channels = channels;
        Length = length;
        Filters = filters;
        Kernel = kernel;
        PadBefore = samePadding ? (kernel - 1) / 2 : 0;
        PadAfter = samePadding ? kernel - 1 - PadBefore : 0;
        _weight = new Parameter($"{name}.weight", filters, channels, kernel);
        _bias = new Parameter($"{name}.bias", filters);
        var limit = (float)Math.Sqrt(6.0 / ((channels + filters) * kernel));
        for (var i = 0; i < _weight.Value.Length; i++)
        {
            _weight.Value[i] = (float)(((2 * random.NextDouble()) - 1) * limit);
        }

        Parameters = [_weight, _bias];
    }

    public int Channels { get; }

    public int Length { get; }

    public int Filters { get; }

    public int Kernel { get; }

    /// <summary>Zeros before the first step of the input (ONNX <c>pads</c> begin).</summary>
    public int PadBefore { get; }

    /// <summary>Zeros after the last step of the input (ONNX <c>pads</c> end).</summary>
    public int PadAfter { get; }

    public int OutputLength => Length + PadBefore + PadAfter - Kernel + 1;

    public int InputSize => Channels * Length;

    public int OutputSize => Filters * OutputLength;

    public Parameter Weight => _weight;

    public Parameter Bias => _bias;

    public IReadOnlyList<Parameter> Parameters { get; }

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var outLength = OutputLength;
        for (var b = 0; b < batch; b++)
        {
            var x = input.Slice(b * InputSize, InputSize);
            for (var o = 0; o < Filters; o++)
            {
                var y = output.Slice((b * OutputSize) + (o * outLength), outLength);
                y.Fill(_bias.Value[o]);
                for (var c = 0; c < Channels; c++)
                {
                    for (var k = 0; k < Kernel; k++)
                    {
                        var (first, count) = ValidSteps(k);
                        var w = _weight.Value[(((o * Channels) + c) * Kernel) + k];
                        var ys = y.Slice(first, count);
                        TensorPrimitives.MultiplyAdd(x.Slice((c * Length) + first + k - PadBefore, count), w, ys, ys);
                    }
                }
            }
        }
    }

    public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        var outLength = OutputLength;
        inputGradient.Clear();
        for (var b = 0; b < batch; b++)
        {
            var x = input.Slice(b * InputSize, InputSize);
            var dx = inputGradient.Slice(b * InputSize, InputSize);
            for (var o = 0; o < Filters; o++)
            {
                var dy = outputGradient.Slice((b * OutputSize) + (o * outLength), outLength);
                _bias.Gradient[o] += TensorPrimitives.Sum(dy);
                for (var c = 0; c < Channels; c++)
                {
                    for (var k = 0; k < Kernel; k++)
                    {
                        var (first, count) = ValidSteps(k);
                        var index = (((o * Channels) + c) * Kernel) + k;
                        var dys = dy.Slice(first, count);
                        var offset = (c * Length) + first + k - PadBefore;
                        _weight.Gradient[index] += TensorPrimitives.Dot(dys, x.Slice(offset, count));
                        var dxs = dx.Slice(offset, count);
                        TensorPrimitives.MultiplyAdd(dys, _weight.Value[index], dxs, dxs);
                    }
                }
            }
        }
    }

    /// <summary>The output steps t for which kernel tap k reads a real input step (t + k − PadBefore inside the input), not padding.</summary>
    private (int First, int Count) ValidSteps(int k)
    {
        var first = Math.Max(0, PadBefore - k);
        var end = Math.Min(OutputLength, Length + PadBefore - k);
        return (first, end - first);
    }
}
