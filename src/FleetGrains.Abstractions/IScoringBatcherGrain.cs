namespace FleetGrains.Abstractions;

/// <summary>
/// The door to a silo's <see cref="IScoringBatcher"/> for callers outside it (a stateless worker, key 0, on
/// the caller's silo): the device grains call the batcher in process.
/// </summary>
[Alias("FleetGrains.IScoringBatcherGrain")]
public interface IScoringBatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Scores <paramref name="request"/>'s rows with <paramref name="model"/>, batched with other callers' rows.</summary>
    [Alias("Score")]
    Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request);
}
