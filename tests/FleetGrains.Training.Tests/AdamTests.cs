using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Tests;

public class AdamTests
{
    [Fact]
    public void Training_FitsALinearMap()
    {
        var random = new Random(1);
        var network = new Sequential([new DenseLayer(3, 1, random)]);
        var adam = new Adam(network.Parameters, learningRate: 0.05f);
        var input = Enumerable.Range(0, 64 * 3).Select(_ => (float)random.NextDouble()).ToArray();
        var target = Enumerable.Range(0, 64).Select(r => (2 * input[r * 3]) - input[(r * 3) + 1] + (0.5f * input[(r * 3) + 2]) + 1).ToArray();
        var first = MeanSquaredError.Loss(network.Forward(input, 64), target);

        for (var step = 0; step < 500; step++)
        {
            var output = network.Forward(input, 64);
            network.Backward(MeanSquaredError.Gradient(output, target));
            adam.Step();
        }

        var last = MeanSquaredError.Loss(network.Forward(input, 64), target);
        Assert.True(last < first / 100, $"loss {first} -> {last}");
        Assert.Equal(2f, ((DenseLayer)network.Layers[0]).Weight.Value[0], 1);
        Assert.Equal(1f, ((DenseLayer)network.Layers[0]).Bias.Value[0], 1);
    }

    [Fact]
    public void Step_ClearsTheGradients()
    {
        var network = new Sequential([new DenseLayer(2, 2, new Random(2))]);
        var adam = new Adam(network.Parameters);
        network.Backward(MeanSquaredError.Gradient(network.Forward([1f, 2f], 1), [0f, 0f]));

        adam.Step();

        Assert.All(network.Parameters, p => Assert.All(p.Gradient, g => Assert.Equal(0f, g)));
    }
}
