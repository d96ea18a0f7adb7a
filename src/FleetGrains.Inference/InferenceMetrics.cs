using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FleetGrains.Inference.Batching;
using FleetGrains.Inference.Onnx;

namespace FleetGrains.Inference;

/// <summary>Instruments of model serving. Tags are bounded: model id and provider, never a device id.</summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "FleetGrains";
    public const string BatchSizeHistogram = "fleet-inference-batch-size";
    public const string RunDurationHistogram = "fleet-inference-run-duration";
    public const string RefusedCounter = "fleet-inference-refused";
    public const string ProviderFallbackCounter = "fleet-inference-provider-fallbacks";
    public const string QueuedRowsGauge = "fleet-inference-queued-rows";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _runDuration;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _providerFallbacks;
    private readonly ConcurrentDictionary<CoalescingRunner, string> _runners = new();

    public InferenceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>(BatchSizeHistogram, unit: "{row}", description: "Rows per ONNX Runtime run.");
        _runDuration = meter.CreateHistogram<double>(RunDurationHistogram, unit: "ms", description: "Duration of one ONNX Runtime run.");
        _refused = meter.CreateCounter<long>(RefusedCounter, unit: "{row}", description: "Rows refused because a scoring batcher's or a model host's queue was full.");
        _providerFallbacks = meter.CreateCounter<long>(ProviderFallbackCounter, unit: "{fallback}", description: "Configured execution providers that could not be loaded (served on CPU instead).");
        meter.CreateObservableGauge(QueuedRowsGauge, ObserveQueuedRows, unit: "{row}",
            description: "Rows waiting in this silo's model hosts for their ONNX Runtime run: the inference pressure model silos scale on.");
    }

    /// <summary>Counts the rows waiting in <paramref name="runner"/> (a model host's) until <see cref="StopObserving"/>.</summary>
    public void Observe(CoalescingRunner runner, string modelId) => _runners[runner] = modelId;

    public void StopObserving(CoalescingRunner runner) => _runners.TryRemove(runner, out _);

    public void RecordRun(string modelId, int rows, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("model", modelId);
        _batchSize.Record(rows, tag);
        _runDuration.Record(duration.TotalMilliseconds, tag);
    }

    public void RecordRefused(string modelId, int rows) => _refused.Add(rows, new KeyValuePair<string, object?>("model", modelId));

    public void RecordProviderFallback(ExecutionProvider requested) =>
        _providerFallbacks.Add(1, new KeyValuePair<string, object?>("requested", requested.ToString()));

    // One measurement per model (versions of a model summed), so that the tag stays bounded.
    private IEnumerable<Measurement<int>> ObserveQueuedRows() =>
        _runners.GroupBy(r => r.Value, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(r => r.Key.QueuedRows), new KeyValuePair<string, object?>("model", g.Key)));
}
