using System.Diagnostics;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;
using FleetGrains.Inference.Onnx;
using FleetGrains.Inference.Placement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;

namespace FleetGrains.Inference.Hosting;

/// <summary>
/// Serves one model version from an ONNX Runtime session on a model-hosting silo. Reentrant: requests
/// keep arriving while a run is in progress and are merged into the next run by its <see cref="CoalescingRunner"/>.
/// </summary>
[ModelHostPlacement]
[Immovable] // its sessions are loaded on a model silo; rebalancing must not move it to a silo without models
[Reentrant]
public sealed partial class ModelHostGrain(
    ModelFiles files,
    SessionFactory sessions,
    InferenceMetrics metrics,
    IOptions<InferenceOptions> options,
    ILocalSiloDetails silo,
    ILogger<ModelHostGrain> logger) : Grain, IModelHostGrain
{
    private OnnxModel? _model;
    private CoalescingRunner? _runner;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var model = ModelRef.Parse(this.GetPrimaryKeyString());
        _model = OnnxModel.Load(model, files.PathOf(model), sessions);
        var loaded = _model;
        _runner = new CoalescingRunner(
            requests =>
            {
                var started = Stopwatch.GetTimestamp();
                var results = loaded.Run(requests);
                metrics.RecordRun(model.Id, results.Sum(r => r.Rows), Stopwatch.GetElapsedTime(started));
                return results;
            },
            _model.RowWidth,
            options.Value.MaxRunRows,
            options.Value.MaxQueuedRows);
        metrics.Observe(_runner, model.Id);
        LogLoaded(logger, model.Key, _model.Description.Kind, _model.Description.Window, _model.Description.Features, sessions.Status.Active, silo.SiloAddress);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_runner is not null)
        {
            metrics.StopObserving(_runner);
        }

        _model?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<ScoringResult> ScoreAsync(ScoringRequest request)
    {
        try
        {
            return await _runner!.ScoreAsync(request);
        }
        catch (ModelHostBusyException)
        {
            metrics.RecordRefused(_model!.Description.Model.Id, request.Rows);
            throw;
        }
    }

    public async Task<ScoringResult[]> ScoreBatchAsync(ScoringRequest[] requests)
    {
        try
        {
            return await _runner!.ScoreAllAsync(requests);
        }
        catch (ModelHostBusyException)
        {
            metrics.RecordRefused(_model!.Description.Model.Id, requests.Sum(r => r.Rows));
            throw;
        }
    }

    public Task<ModelHostStatus> GetStatusAsync()
    {
        var provider = sessions.Status;
        var (runs, rows, requests) = _runner!.Counters;
        return Task.FromResult(new ModelHostStatus(
            _model!.Description,
            silo.SiloAddress.ToString(),
            provider.Requested.ToString(),
            provider.Active.ToString(),
            provider.FallbackReason,
            runs,
            rows,
            requests,
            _runner.QueuedRows));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} loaded: {Kind}, window {Window} × {Features} features, on {Provider} at silo {Silo}")]
    private static partial void LogLoaded(ILogger logger, string model, ModelKind kind, int window, int features, ExecutionProvider provider, SiloAddress silo);
}
