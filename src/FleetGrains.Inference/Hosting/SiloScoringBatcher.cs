using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FleetGrains.Inference.Hosting;

/// <summary>
/// This silo's <see cref="IScoringBatcher"/>: one <see cref="RequestBatcher"/> for every caller on the silo, sending
/// each batch to the model's host grain (wherever it lives). A request that waits longer than the silo's grain-call
/// timeout fails with a <see cref="TimeoutException"/>, as a grain call to the batcher would have.
/// </summary>
public sealed class SiloScoringBatcher : IScoringBatcher, IDisposable
{
    private readonly RequestBatcher _batcher;
    private readonly InferenceMetrics _metrics;

    public SiloScoringBatcher(
        IGrainFactory grains, IOptions<InferenceOptions> options, IOptions<SiloMessagingOptions> messaging, InferenceMetrics metrics, TimeProvider time)
    {
        var o = options.Value;
        // Sent from the thread pool: a batch often falls due inside a device grain's call, and its model-host call
        // must not be made from that grain's scheduler.
        _batcher = new RequestBatcher(
            (model, requests) => Task.Run(() => grains.GetGrain<IModelHostGrain>(model.Key).ScoreBatchAsync(requests)),
            new BatcherLimits(o.BatchMaxRows, o.BatchMaxDelay, o.MaxQueuedRows, messaging.Value.ResponseTimeout),
            time);
        _metrics = metrics;
    }

    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request)
    {
        var scoring = _batcher.ScoreAsync(model, request);
        // Refused at once when the queue is full (a model host's refusals arrive later and count there).
        if (scoring.IsFaulted && scoring.Exception.InnerException is ModelHostBusyException)
        {
            _metrics.RecordRefused(model.Id, request.Rows);
        }

        return scoring;
    }

    public void Dispose() => _batcher.Dispose();
}
