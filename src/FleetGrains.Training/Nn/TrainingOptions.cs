namespace FleetGrains.Training.Nn;

/// <summary>How <see cref="Trainer"/> fits a network. Every random choice comes from <see cref="Seed"/>.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 50;

    public int BatchSize { get; init; } = 64;

    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>
    /// The standard deviation of Gaussian noise added to every training input, fresh for every batch
    /// (a regulariser: the network cannot memorise exact inputs); 0 turns it off. Never added to validation.
    /// </summary>
    public float InputNoise { get; init; }

    /// <summary>Decoupled weight decay (AdamW); 0 turns it off.</summary>
    public float WeightDecay { get; init; }

    /// <summary>The share of rows (the last ones, not shuffled) held out to decide when to stop.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation loss; the best weights are kept.</summary>
    public int Patience { get; init; } = 5;

    public int Seed { get; init; } = 42;
}

/// <summary>What a training run did, epoch by epoch.</summary>
public sealed record TrainingReport(IReadOnlyList<float> TrainLoss, IReadOnlyList<float> ValidationLoss, int BestEpoch, TimeSpan Elapsed)
{
    public float BestValidationLoss => ValidationLoss[BestEpoch];
}
