namespace FleetGrains.Abstractions;

/// <summary>
/// The silo-local batcher (a stateless worker, key 0): collects the scoring requests of the device
/// grains on its silo and sends one call per model and batch to the model host, flushing at the
/// maximum batch size or after the maximum delay.
/// </summary>
[Alias("FleetGrains.IScoringBatcherGrain")]
public interface IScoringBatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Scores <paramref name="request"/>'s rows with <paramref name="model"/>, batched with other callers' rows.</summary>
    [Alias("Score")]
    Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request);
}
