using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace FleetGrains.Inference.Hosting;

/// <summary>
/// One per silo: device grains call the local activation, which batches their rows per model and sends
/// one call per batch to the model host (wherever it lives). Reentrant, so that callers wait together.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class ScoringBatcherGrain(IOptions<InferenceOptions> options, InferenceMetrics metrics, TimeProvider time) : Grain, IScoringBatcherGrain
{
    private RequestBatcher? _batcher;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var factory = GrainFactory;
        _batcher = new RequestBatcher(
            (model, requests) => factory.GetGrainFast<IModelHostGrain>(model.Key).ScoreBatchAsync(requests),
            new BatcherLimits(o.BatchMaxRows, o.BatchMaxDelay, o.MaxQueuedRows),
            time);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _batcher?.Dispose();
        return Task.CompletedTask;
    }

    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request)
    {
        var scoring = _batcher!.ScoreAsync(model, request);
        // Refused at once when this batcher's queue is full (a model host's refusals arrive later and count there).
        if (scoring.IsFaulted && scoring.Exception.InnerException is ModelHostBusyException)
        {
            metrics.RecordRefused(model.Id, request.Rows);
        }

        return scoring;
    }
}
