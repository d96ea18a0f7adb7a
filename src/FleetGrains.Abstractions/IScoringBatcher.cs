namespace FleetGrains.Abstractions;

/// <summary>
/// The batcher of this silo, called in process by the device grains it hosts: collects their scoring requests
/// per model and sends one call per batch to the model host, at the maximum batch size or after the maximum
/// delay. A grain call per request would cost more than the batching saves; callers outside the silo use
/// <see cref="IScoringBatcherGrain"/>, which hands their requests to the same batcher.
/// </summary>
public interface IScoringBatcher
{
    /// <summary>Scores <paramref name="request"/>'s rows with <paramref name="model"/>, batched with other callers' rows.</summary>
    Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request);
}
