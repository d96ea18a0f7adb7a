using System.Diagnostics;

namespace FleetGrains.Training.Nn;

/// <summary>
/// Mini-batch training with Adam and early stopping. Rows are shuffled by a seeded generator, the
/// validation rows are the last <see cref="TrainingOptions.ValidationFraction"/> of the data (time
/// series: the future is not used to train), and the weights of the best validation epoch are kept.
/// The same data, network and options give the same weights, bit for bit.
/// </summary>
public static class Trainer
{
    /// <param name="validationRows">How many of the last rows to validate on; by default <see cref="TrainingOptions.ValidationFraction"/> of them.</param>
    public static TrainingReport Fit(Sequential network, float[] inputs, float[] targets, int rows, TrainingOptions options, int? validationRows = null)
    {
        if (inputs.Length != rows * network.InputSize || targets.Length != rows * network.OutputSize)
        {
            throw new ArgumentException($"Expected {rows} rows of {network.InputSize} inputs and {network.OutputSize} targets.");
        }

        var heldOut = validationRows ?? (int)Math.Round(rows * options.ValidationFraction);
        var trainRows = rows - heldOut;
        if (trainRows < 1 || heldOut < 1)
        {
            throw new ArgumentException(validationRows is null
                ? $"{rows} rows are too few to hold out a validation split of {options.ValidationFraction:P0}."
                : $"{rows} rows are too few to validate on {heldOut} of them and train on the rest.");
        }

        var stopwatch = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        var adam = new Adam(network.Parameters, options.LearningRate, options.WeightDecay);
        var order = Enumerable.Range(0, trainRows).ToArray();
        var trainLoss = new List<float>();
        var validationLoss = new List<float>();
        var best = Snapshot(network);
        var bestEpoch = 0;
        network.ZeroGradients();
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double epochLoss = 0;
            for (var start = 0; start < trainRows; start += options.BatchSize)
            {
                var batch = Math.Min(options.BatchSize, trainRows - start);
                var (x, y) = Gather(order.AsSpan(start, batch), inputs, targets, network.InputSize, network.OutputSize);
                AddNoise(x, options.InputNoise, random);
                var output = network.Forward(x, batch);
                epochLoss += MeanSquaredError.Loss(output, y) * batch;
                network.Backward(MeanSquaredError.Gradient(output, y));
                adam.Step();
            }

            trainLoss.Add((float)(epochLoss / trainRows));
            validationLoss.Add(Evaluate(network, inputs, targets, trainRows, heldOut, options.BatchSize));
            if (validationLoss[^1] < validationLoss[bestEpoch] || epoch == 0)
            {
                bestEpoch = epoch;
                best = Snapshot(network);
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                break;
            }
        }

        Restore(network, best);
        return new TrainingReport(trainLoss, validationLoss, bestEpoch, stopwatch.Elapsed);
    }

    /// <summary>The mean squared error over rows [first, first + count).</summary>
    public static float Evaluate(Sequential network, float[] inputs, float[] targets, int first, int count, int batchSize)
    {
        double sum = 0;
        for (var start = first; start < first + count; start += batchSize)
        {
            var batch = Math.Min(batchSize, first + count - start);
            var output = network.Forward(inputs.AsSpan(start * network.InputSize, batch * network.InputSize), batch);
            sum += MeanSquaredError.Loss(output, targets.AsSpan(start * network.OutputSize, batch * network.OutputSize)) * batch;
        }

        return (float)(sum / count);
    }

    private static (float[] X, float[] Y) Gather(ReadOnlySpan<int> rows, float[] inputs, float[] targets, int inputSize, int outputSize)
    {
        var x = new float[rows.Length * inputSize];
        var y = new float[rows.Length * outputSize];
        for (var i = 0; i < rows.Length; i++)
        {
            inputs.AsSpan(rows[i] * inputSize, inputSize).CopyTo(x.AsSpan(i * inputSize));
            targets.AsSpan(rows[i] * outputSize, outputSize).CopyTo(y.AsSpan(i * outputSize));
        }

        return (x, y);
    }

    private static void AddNoise(float[] x, float standardDeviation, Random random)
    {
        if (standardDeviation <= 0)
        {
            return;
        }

        for (var i = 0; i < x.Length; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            x[i] += (float)(standardDeviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }

    private static float[][] Snapshot(Sequential network) => [.. network.Parameters.Select(p => (float[])p.Value.Clone())];

    private static void Restore(Sequential network, float[][] snapshot)
    {
        foreach (var (parameter, values) in network.Parameters.Zip(snapshot))
        {
            values.CopyTo(parameter.Value, 0);
        }
    }
}
