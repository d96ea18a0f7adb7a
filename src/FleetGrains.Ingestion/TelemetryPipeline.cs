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
        var events = batch.Events;
        // Each device's valid events by their position in the batch, keyed by the ids (so that the grain key is built
        // once per device, not per event), in one block per width (a block holds samples of one width; the device
        // takes the width it knows, or the first it is sent, and refuses the others).
        var byDevice = new Dictionary<(string FleetId, string DeviceId), List<(int Features, List<int> Positions)>>();
        var samples = 0;
        var values = 0;
        for (var position = 0; position < events.Count; position++)
        {
            var (index, e) = events[position];
            if (ValidateSafely(e, now) is { } reason)
            {
                errors.Add(new EventRejection(index, reason));
                continue;
            }

            var features = e.Values!.Value.Length;
            if (!byDevice.TryGetValue((e.FleetId!, e.DeviceId!), out var widths))
            {
                byDevice[(e.FleetId!, e.DeviceId!)] = widths = new(1);
            }

            WidthOf(widths, features).Add(position);
            samples++;
            values += features;
        }

        var columns = new TelemetryColumns(samples, values);
        var calls = new Task<IngestReport>[byDevice.Count];
        var call = 0;
        foreach (var (key, widths) in byDevice)
        {
            var blocks = widths.ConvertAll(w => (columns.Append(w.Features, w.Positions, events), w.Positions));
            calls[call++] = IngestDeviceAsync(FleetKeys.Device(key.FleetId, key.DeviceId), blocks, events);
        }

        var results = await Task.WhenAll(calls);
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

        if (failed == 0)
        {
            columns.Dispose();
        }
        else
        {
            columns.Abandon(); // a call that timed out may still be running on its device: its block must stay as it is
        }

        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        var report = new IngestReport(accepted, duplicates, errors.Count - failed, failed, errors);
        metrics.Record(source, report);
        return report;
    }

    // Validation is the event's business: whatever goes wrong there rejects that event, never the batch.
    private string? ValidateSafely(in TelemetryEvent e, DateTimeOffset now)
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

    private static List<int> WidthOf(List<(int Features, List<int> Positions)> widths, int features)
    {
        foreach (var width in widths)
        {
            if (width.Features == features)
            {
                return width.Positions;
            }
        }

        widths.Add((features, []));
        return widths[^1].Positions;
    }

    // A device's blocks one after the other, in the order of their first events: the first defines a new device's width.
    private async Task<IngestReport> IngestDeviceAsync(
        string deviceKey, List<(TelemetryBlock Block, List<int> Positions)> blocks, List<(int Index, TelemetryEvent Event)> events)
    {
        if (blocks.Count == 1)
        {
            return await IngestBlockAsync(deviceKey, blocks[0].Block, blocks[0].Positions, events);
        }

        var reports = new List<IngestReport>(blocks.Count);
        foreach (var (block, positions) in blocks)
        {
            reports.Add(await IngestBlockAsync(deviceKey, block, positions, events));
        }

        return new IngestReport(
            reports.Sum(r => r.Accepted), reports.Sum(r => r.Duplicates), reports.Sum(r => r.Rejected), reports.Sum(r => r.Failed), [.. reports.SelectMany(r => r.Errors)]);
    }

    private async Task<IngestReport> IngestBlockAsync(
        string deviceKey, TelemetryBlock block, List<int> positions, List<(int Index, TelemetryEvent Event)> events)
    {
        try
        {
            var device = grains.GetGrainFast<IDeviceGrain>(deviceKey);
            var outcome = options.Value.CallPerEvent
                ? await IngestOneByOneAsync(device, block)
                : await device.IngestAsync(block);
            if (outcome.Rejected.Count == 0)
            {
                return new IngestReport(outcome.Accepted, outcome.Duplicates, 0, 0, []);
            }

            var errors = outcome.Rejected.Select(r => new EventRejection(events[positions[r.Index]].Index, r.Reason)).ToList();
            return new IngestReport(outcome.Accepted, outcome.Duplicates, errors.Count, 0, errors);
        }
        catch (Exception ex)
        {
            LogDeviceCallFailed(logger, ex, deviceKey, positions.Count);
            var reason = $"not applied: the call to device {deviceKey} failed ({ex.GetType().Name}); sending it again is safe";
            return new IngestReport(0, 0, 0, positions.Count, [.. positions.Select(p => new EventRejection(events[p].Index, reason, Retryable: true))]);
        }
    }

    // In order, each call awaited before the next: what a caller without batching does.
    private static async Task<IngestOutcome> IngestOneByOneAsync(IDeviceGrain device, TelemetryBlock block)
    {
        int accepted = 0, duplicates = 0;
        var rejected = new List<SampleRejection>();
        for (var i = 0; i < block.Count; i++)
        {
            var outcome = await device.IngestAsync(block.Sample(i));
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
