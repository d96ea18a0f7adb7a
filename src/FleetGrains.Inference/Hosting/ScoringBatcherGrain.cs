using FleetGrains.Abstractions;
using Orleans.Concurrency;

namespace FleetGrains.Inference.Hosting;

/// <summary>
/// One per silo, for callers outside it: hands their requests to the silo's <see cref="IScoringBatcher"/>, where
/// the device grains' requests are batched too. Reentrant, so that callers wait together.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class ScoringBatcherGrain(IScoringBatcher batcher) : Grain, IScoringBatcherGrain
{
    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request) => batcher.ScoreAsync(model, request);
}
