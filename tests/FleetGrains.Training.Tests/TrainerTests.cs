using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Tests;

public class TrainerTests
{
    private static (float[] X, float[] Y) Data(int rows)
    {
        var random = new Random(1);
        var x = Enumerable.Range(0, rows * 2).Select(_ => (float)random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, rows).Select(r => x[2 * r] - (2 * x[(2 * r) + 1])).ToArray();
        return (x, y);
    }

    private static float[] Weights(Sequential network) => [.. network.Parameters.SelectMany(p => p.Value)];

    [Fact]
    public void SameSeed_SameWeights_WithOrWithoutNoise()
    {
        var (x, y) = Data(200);
        var options = new TrainingOptions { Epochs = 5, BatchSize = 16, Seed = 3, InputNoise = 0.1f };
        var first = new Sequential([new DenseLayer(2, 1, new Random(1))]);
        var second = new Sequential([new DenseLayer(2, 1, new Random(1))]);

        Trainer.Fit(first, x, y, 200, options);
        Trainer.Fit(second, x, y, 200, options);

        Assert.Equal(Weights(first), Weights(second));
    }

    [Fact]
    public void InputNoise_ChangesTraining_ButNotTheData()
    {
        var (x, y) = Data(200);
        var copy = (float[])x.Clone();
        var clean = new Sequential([new DenseLayer(2, 1, new Random(1))]);
        var noisy = new Sequential([new DenseLayer(2, 1, new Random(1))]);

        Trainer.Fit(clean, x, y, 200, new TrainingOptions { Epochs = 5, Seed = 3 });
        Trainer.Fit(noisy, x, y, 200, new TrainingOptions { Epochs = 5, Seed = 3, InputNoise = 0.5f });

        Assert.NotEqual(Weights(clean), Weights(noisy));
        Assert.Equal(copy, x);
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestValidationEpoch()
    {
        var (x, y) = Data(300);
        var network = new Sequential([new DenseLayer(2, 8, new Random(2)), new ActivationLayer(Activation.Tanh, 8), new DenseLayer(8, 1, new Random(3))]);

        var report = Trainer.Fit(network, x, y, 300, new TrainingOptions { Epochs = 30, BatchSize = 16, LearningRate = 1e-2f, Patience = 3, Seed = 4 });

        Assert.Equal(report.ValidationLoss.Min(), report.BestValidationLoss);
        Assert.Equal(report.BestValidationLoss, Trainer.Evaluate(network, x, y, 270, 30, 64), 5);
        Assert.True(report.TrainLoss.Count <= 30);
    }

    [Fact]
    public void TooFewRows_ForAValidationSplit_IsRefused()
    {
        var network = new Sequential([new DenseLayer(2, 1, new Random(1))]);

        Assert.Throws<ArgumentException>(() => Trainer.Fit(network, [1f, 2f], [3f], 1, new TrainingOptions()));
    }
}
