using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Tests;

/// <summary>
/// Compares back-propagated gradients with central finite differences of the loss, computed in
/// double precision on top of the float32 forward pass.
/// </summary>
internal static class GradientCheck
{
    private const float Epsilon = 1e-2f;

    /// <summary>The largest relative error over every parameter and every input.</summary>
    public static double MaxRelativeError(Sequential network, float[] input, float[] target, int batch)
    {
        var inputGradient = InputGradient(network, input, target, batch);
        network.ZeroGradients();
        var output = network.Forward(input, batch);
        network.Backward(MeanSquaredError.Gradient(output, target));

        var worst = 0.0;
        foreach (var parameter in network.Parameters)
        {
            var analytic = (float[])parameter.Gradient.Clone();
            for (var i = 0; i < parameter.Value.Length; i++)
            {
                worst = Math.Max(worst, RelativeError(analytic[i], Numeric(network, parameter.Value, i, input, target, batch)));
            }
        }

        for (var i = 0; i < input.Length; i++)
        {
            worst = Math.Max(worst, RelativeError(inputGradient[i], Numeric(network, input, i, input, target, batch)));
        }

        return worst;
    }

    private static float[] InputGradient(Sequential network, float[] input, float[] target, int batch)
    {
        // The gradient with respect to the input: an identity layer in front records what reaches it.
        var probe = new Sequential([new IdentityLayer(network.InputSize), .. network.Layers]);
        probe.ZeroGradients();
        var output = probe.Forward(input, batch);
        probe.Backward(MeanSquaredError.Gradient(output, target));
        network.ZeroGradients();
        return ((IdentityLayer)probe.Layers[0]).LastInputGradient;
    }

    private static double Numeric(Sequential network, float[] values, int index, float[] input, float[] target, int batch)
    {
        var original = values[index];
        values[index] = original + Epsilon;
        double plus = MeanSquaredError.Loss(network.Forward(input, batch), target);
        values[index] = original - Epsilon;
        double minus = MeanSquaredError.Loss(network.Forward(input, batch), target);
        values[index] = original;
        return (plus - minus) / (2.0 * Epsilon);
    }

    private static double RelativeError(double analytic, double numeric) =>
        Math.Abs(analytic - numeric) / Math.Max(1e-3, Math.Abs(analytic) + Math.Abs(numeric));

    /// <summary>Passes its input through and remembers the gradient that reached it.</summary>
    private sealed class IdentityLayer(int size) : ILayer
    {
        public float[] LastInputGradient { get; private set; } = [];

        public int InputSize => size;

        public int OutputSize => size;

        public IReadOnlyList<Parameter> Parameters => [];

        public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => input.CopyTo(output);

        public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
        {
            outputGradient.CopyTo(inputGradient);
            LastInputGradient = outputGradient.ToArray();
        }
    }
}
