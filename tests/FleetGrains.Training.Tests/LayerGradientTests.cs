using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Tests;

public class LayerGradientTests
{
    private const double Tolerance = 2e-2;

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(((2 * random.NextDouble()) - 1) * scale))];
    }

    [Fact]
    public void Dense_GradientsMatchFiniteDifferences()
    {
        var network = new Sequential([new DenseLayer(4, 3, new Random(1))]);
        Randomise(network.Parameters, seed: 2);

        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(5 * 4, 3), Random(5 * 3, 4), batch: 5), 0, Tolerance);
    }

    [Fact]
    public void Tanh_GradientsMatchFiniteDifferences()
    {
        var network = new Sequential([new DenseLayer(3, 4, new Random(5)), new ActivationLayer(Activation.Tanh, 4), new DenseLayer(4, 2, new Random(6))]);

        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(3 * 3, 7), Random(3 * 2, 8), batch: 3), 0, Tolerance);
    }

    [Fact]
    public void Relu_GradientsMatchFiniteDifferences_AwayFromTheKink()
    {
        var network = new Sequential([new ActivationLayer(Activation.Relu, 6), new DenseLayer(6, 2, new Random(9))]);
        // Inputs at least 0.1 from 0, so that the finite difference never crosses the kink.
        var input = Random(2 * 6, 10).Select(x => x >= 0 ? x + 0.1f : x - 0.1f).ToArray();

        Assert.InRange(GradientCheck.MaxRelativeError(network, input, Random(2 * 2, 11), batch: 2), 0, Tolerance);
    }

    [Fact]
    public void DeepAutoencoderShape_GradientsMatchFiniteDifferences()
    {
        var random = new Random(12);
        var network = new Sequential(
        [
            new DenseLayer(6, 4, random), new ActivationLayer(Activation.Tanh, 4),
            new DenseLayer(4, 2, random), new ActivationLayer(Activation.Tanh, 2),
            new DenseLayer(2, 4, random), new ActivationLayer(Activation.Tanh, 4),
            new DenseLayer(4, 6, random),
        ]);
        var input = Random(4 * 6, 13);

        Assert.InRange(GradientCheck.MaxRelativeError(network, input, target: [.. input], batch: 4), 0, Tolerance);
    }

    [Fact]
    public void Conv1D_GradientsMatchFiniteDifferences()
    {
        var random = new Random(17);
        var network = new Sequential([new Conv1DLayer(channels: 2, length: 7, filters: 3, kernel: 3, random), new ActivationLayer(Activation.Tanh, 15), new DenseLayer(15, 2, random)]);
        Randomise(network.Parameters, seed: 18);

        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(3 * 14, 19), Random(3 * 2, 20), batch: 3), 0, Tolerance);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Conv1D_WithSamePadding_GradientsMatchFiniteDifferences(int kernel)
    {
        var random = new Random(21);
        var conv = new Conv1DLayer(channels: 2, length: 6, filters: 3, kernel: kernel, random, samePadding: true);
        var network = new Sequential([conv, new ActivationLayer(Activation.Tanh, 18), new DenseLayer(18, 2, random)]);
        Randomise(network.Parameters, seed: 22);

        Assert.Equal(6, conv.OutputLength);
        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(3 * 12, 23), Random(3 * 2, 24), batch: 3), 0, Tolerance);
    }

    [Fact]
    public void Conv1D_WithSamePadding_ReadsZerosBeyondTheEnds()
    {
        var conv = new Conv1DLayer(channels: 1, length: 4, filters: 1, kernel: 3, new Random(1), samePadding: true);
        conv.Weight.Value.AsSpan().Fill(1);
        var output = new float[4];

        conv.Forward([1, 2, 3, 4], output, batch: 1);

        Assert.Equal([3f, 6f, 9f, 7f], output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lstm_GradientsMatchFiniteDifferences_ThroughTime(bool returnSequences)
    {
        var random = new Random(25);
        var lstm = new LstmLayer(steps: 5, features: 3, hidden: 4, random, returnSequences: returnSequences);
        var network = new Sequential([lstm, new DenseLayer(lstm.OutputSize, 2, random)]);
        Randomise(network.Parameters, seed: 26);

        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(3 * 15, 27), Random(3 * 2, 28), batch: 3), 0, Tolerance);
    }

    [Fact]
    public void Lstm_StackedOnAnLstm_GradientsMatchFiniteDifferences()
    {
        var random = new Random(29);
        var network = new Sequential(
        [
            new LstmLayer(steps: 4, features: 2, hidden: 3, random, "first", returnSequences: true),
            new LstmLayer(steps: 4, features: 3, hidden: 3, random, "second"),
            new DenseLayer(3, 2, random),
        ]);
        Randomise(network.Parameters, seed: 30);

        Assert.InRange(GradientCheck.MaxRelativeError(network, Random(2 * 8, 31), Random(2 * 2, 32), batch: 2), 0, Tolerance);
    }

    [Fact]
    public void Lstm_OfOneStepWithKnownWeights_IsTheTextbookCell()
    {
        // Weights 0, biases 0: every gate is σ(0) = 0.5, the candidate tanh(0) = 0; with input weight 1 on the candidate only
        // and x = 1: c = 0.5 · tanh(1), h = 0.5 · tanh(c).
        var lstm = new LstmLayer(steps: 1, features: 1, hidden: 1, new Random(1));
        Array.Clear(lstm.Weight.Value);
        Array.Clear(lstm.Recurrence.Value);
        Array.Clear(lstm.Bias.Value);
        lstm.Weight.Value[3] = 1f; // gate order i, o, f, c
        var output = new float[1];

        lstm.Forward([1f], output, batch: 1);

        var c = 0.5 * Math.Tanh(1);
        Assert.Equal(0.5 * Math.Tanh(c), output[0], 6);
    }

    [Fact]
    public void GradientCheck_CatchesAWrongGradient()
    {
        var network = new Sequential([new DenseLayer(3, 2, new Random(14)), new BrokenLayer(2)]);

        Assert.True(GradientCheck.MaxRelativeError(network, Random(2 * 3, 15), Random(2 * 2, 16), batch: 2) > 0.1);
    }

    private static void Randomise(IEnumerable<Parameter> parameters, int seed)
    {
        var random = new Random(seed);
        foreach (var p in parameters)
        {
            for (var i = 0; i < p.Value.Length; i++)
            {
                p.Value[i] = (float)((2 * random.NextDouble()) - 1);
            }
        }
    }

    /// <summary>y = 2x, with a backward pass that forgets the factor 2.</summary>
    private sealed class BrokenLayer(int size) : ILayer
    {
        public int InputSize => size;

        public int OutputSize => size;

        public IReadOnlyList<Parameter> Parameters => [];

        public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
        {
            for (var i = 0; i < batch * size; i++)
            {
                output[i] = 2 * input[i];
            }
        }

        public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch) =>
            outputGradient.CopyTo(inputGradient);
    }
}
