using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FleetGrains.Inference.Hosting;

/// <summary>
/// This silo's <see cref="IScoringBatcher"/>: one <see cref="RequestBatcher"/> for every caller on the silo, sending
/// each batch to the model's host grain (wherever it lives). A request still waiting to be sent after the silo's
/// grain-call timeout is withdrawn and fails with a <see cref="TimeoutException"/>, as a grain call to the batcher
/// would have; once sent, it waits for the model host's answer, which that call's own timeout bounds.
/// </summary>
public sealed class SiloScoringBatcher : IScoringBatcher, IDisposable
{
    private readonly RequestBatcher _batcher;
    private readonly InferenceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public SiloScoringBatcher(
        IGrainFactory grains, IOptions<InferenceOptions> options, IOptions<SiloMessagingOptions> messaging, InferenceMetrics metrics, TimeProvider time)
    {
        var o = options.Value;
        // Sent from the thread pool: a batch often falls due inside a device grain's call, and its model-host call
        // and the answers to every caller must not run on that grain's scheduler.
        _batcher = new RequestBatcher(
            (model, requests) => Task.Run(() => grains.GetGrain<IModelHostGrain>(model.Key).ScoreBatchAsync(requests)),
            new BatcherLimits(o.BatchMaxRows, o.BatchMaxDelay, o.MaxQueuedRows),
            time);
        _metrics = metrics;
        _time = time;
        _timeout = messaging.Value.ResponseTimeout;
    }

    public async Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        var scoring = _batcher.ScoreAsync(model, request, timeout.Token);
        // Refused at once when the queue is full (a model host's refusals arrive later and count there).
        if (scoring.IsFaulted && scoring.Exception.InnerException is ModelHostBusyException)
        {
            _metrics.RecordRefused(model.Id, request.Rows);
        }

        try
        {
            return await scoring;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The request of {request.Rows} rows for {model} waited {_timeout} in this silo's batcher without being sent.");
        }
    }

    public void Dispose() => _batcher.Dispose();
}
