using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

/// <summary>
/// The pipeline every source shares: validate decoded events, group them by device, make one grain
/// call per device, and report per event what happened — only after the grains answered.
/// (<see cref="IngestionOptions.CallPerEvent"/> makes one call per event instead, for a load-test baseline.)
/// </summary>
public sealed partial class TelemetryPipeline(
    IGrainFactory grains,
    TelemetryValidator validator,
    IngestionAdmission admission,
    IOptions<IngestionOptions> options,
    IngestionMetrics metrics,
    TimeProvider time,
    ILogger<TelemetryPipeline> logger)
{
    /// <summary>Ingests the batch once the silo has room for it (<see cref="IngestionAdmission"/>): what sources do.</summary>
    public async Task<IngestReport> IngestAsync(DecodedBatch batch, string source)
    {
        await admission.EnterAsync(batch.Events.Count);
        return await IngestAdmittedAsync(batch, source);
    }

    /// <summary>Ingests the batch if the silo has room for it now; null, with nothing applied, if it has not.</summary>
    public async Task<IngestReport?> TryIngestAsync(DecodedBatch batch, string source)
    {
        if (!admission.TryEnter(batch.Events.Count))
        {
            metrics.RecordRefused(source, batch.Events.Count);
            return null;
        }

        return await IngestAdmittedAsync(batch, source);
    }

    // The batch holds room in the admission until its devices answered.
    private async Task<IngestReport> IngestAdmittedAsync(DecodedBatch batch, string source)
    {
        try
        {
            return await IngestCoreAsync(batch, source);
        }
        finally
        {
            admission.Exit(batch.Events.Count);
        }
    }

    private async Task<IngestReport> IngestCoreAsync(DecodedBatch batch, string source)
    {
        var errors = new List<EventRejection>(batch.Rejections);
        var now = time.GetUtcNow();
        // Keyed by the id pair, so that the grain key string is built once per device, not per event.
        var byDevice = new Dictionary<(string FleetId, string DeviceId), List<(int Index, TelemetrySample Sample)>>();
        foreach (var (index, e) in batch.Events)
        {
            if (ValidateSafely(e, now) is { } reason)
            {
                errors.Add(new EventRejection(index, reason));
                continue;
            }

            var key = (e.FleetId!, e.DeviceId!);
            if (!byDevice.TryGetValue(key, out var samples))
            {
                byDevice[key] = samples = [];
            }

            samples.Add((index, new TelemetrySample(e.Seq!.Value, e.Ts!.Value, e.Values!)));
        }

        var results = await Task.WhenAll(byDevice.Select(group => IngestDeviceAsync(FleetKeys.Device(group.Key.FleetId, group.Key.DeviceId), group.Value)));
        var accepted = 0;
        var duplicates = 0;
        var failed = 0;
        foreach (var result in results)
        {
            accepted += result.Accepted;
            duplicates += result.Duplicates;
            failed += result.Failed;
            errors.AddRange(result.Errors);
        }

        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        var report = new IngestReport(accepted, duplicates, errors.Count - failed, failed, errors);
        metrics.Record(source, report);
        return report;
    }

    // Validation is the event's business: whatever goes wrong there rejects that event, never the batch.
    private string? ValidateSafely(TelemetryEvent e, DateTimeOffset now)
    {
        try
        {
            return validator.Validate(e, now);
        }
        catch (Exception ex)
        {
            LogValidationFailed(logger, ex);
            return $"the event could not be validated ({ex.GetType().Name}: {ex.Message})";
        }
    }

    private async Task<IngestReport> IngestDeviceAsync(string deviceKey, List<(int Index, TelemetrySample Sample)> events)
    {
        try
        {
            var device = grains.GetGrainFast<IDeviceGrain>(deviceKey);
            var outcome = options.Value.CallPerEvent
                ? await IngestOneByOneAsync(device, events)
                : await device.IngestAsync([.. events.Select(e => e.Sample)]);
            var errors = outcome.Rejected.Select(r => new EventRejection(events[r.Index].Index, r.Reason)).ToList();
            return new IngestReport(outcome.Accepted, outcome.Duplicates, errors.Count, 0, errors);
        }
        catch (Exception ex)
        {
            LogDeviceCallFailed(logger, ex, deviceKey, events.Count);
            var reason = $"not applied: the call to device {deviceKey} failed ({ex.GetType().Name}); sending it again is safe";
            return new IngestReport(0, 0, 0, events.Count, [.. events.Select(e => new EventRejection(e.Index, reason, Retryable: true))]);
        }
    }

    // In order, each call awaited before the next: what a caller without batching does.
    private static async Task<IngestOutcome> IngestOneByOneAsync(IDeviceGrain device, List<(int Index, TelemetrySample Sample)> events)
    {
        int accepted = 0, duplicates = 0;
        var rejected = new List<SampleRejection>();
        for (var i = 0; i < events.Count; i++)
        {
            var outcome = await device.IngestAsync([events[i].Sample]);
            accepted += outcome.Accepted;
            duplicates += outcome.Duplicates;
            rejected.AddRange(outcome.Rejected.Select(r => r with { Index = i }));
        }

        return new IngestOutcome(accepted, duplicates, rejected);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Validating an event threw; the event is rejected")]
    private static partial void LogValidationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest call to device {DeviceKey} failed; {Count} events not applied")]
    private static partial void LogDeviceCallFailed(ILogger logger, Exception exception, string deviceKey, int count);
}
