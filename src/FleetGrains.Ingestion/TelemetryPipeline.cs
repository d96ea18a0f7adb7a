using System.Buffers;
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
        using var groups = new DeviceGroups(events.Count);
        var nowMs = now.ToUnixTimeMilliseconds();
        var arrivals = new FleetTallyRuns(metrics); // how late each fleet's valid events arrived
        for (var position = 0; position < events.Count; position++)
        {
            var (index, e) = events[position];
            if (ValidateSafely(e, now) is { } reason)
            {
                errors.Add(new EventRejection(index, reason));
                continue;
            }

            groups.Add(position, e.FleetId!, e.DeviceId!, e.Values!.Value.Length);
            arrivals.Add(e.FleetId!, new FleetIngestTally(0, nowMs - e.Ts!.Value, 1, 0));
        }

        arrivals.Flush();

        groups.Seal();
        var columns = new TelemetryColumns(groups.Samples, groups.Values);
        var calls = ArrayPool<ValueTask<DeviceReport>>.Shared.Rent(Math.Max(groups.Devices, 1));
        int accepted = 0, duplicates = 0, failed = 0;
        try
        {
            for (var device = 0; device < groups.Devices; device++)
            {
                var (fleetId, deviceId) = groups.DeviceIds(device);
                var group = groups.FirstGroupOf(device);
                var block = columns.Append(groups.FeaturesOf(group), groups.PositionsOf(group), events);
                calls[device] = groups.NextOf(group) < 0
                    ? IngestBlockAsync(FleetKeys.Device(fleetId, deviceId), block, groups.PositionsOf(group), events, errors)
                    : IngestDeviceAsync(FleetKeys.Device(fleetId, deviceId), BlocksOf(block, group, groups, columns, events), events, errors);
            }

            // Every call started before the first is awaited; each once, in order. Accepted events are counted per fleet.
            var acceptedByFleet = new FleetTallyRuns(metrics);
            for (var device = 0; device < groups.Devices; device++)
            {
                var result = await calls[device];
                accepted += result.Accepted;
                duplicates += result.Duplicates;
                failed += result.Failed;
                acceptedByFleet.Add(groups.DeviceIds(device).FleetId, new FleetIngestTally(result.Accepted, 0, 0, 0));
            }

            acceptedByFleet.Flush();
        }
        finally
        {
            ArrayPool<ValueTask<DeviceReport>>.Shared.Return(calls, clearArray: true);
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

    // Every block of a device that sent events of more than one width, cut here (the columns are filled on one thread).
    private static List<(TelemetryBlock Block, ArraySegment<int> Positions)> BlocksOf(
        TelemetryBlock first, int group, DeviceGroups groups, TelemetryColumns columns, List<(int Index, TelemetryEvent Event)> events)
    {
        var blocks = new List<(TelemetryBlock, ArraySegment<int>)> { (first, groups.PositionsOf(group)) };
        for (group = groups.NextOf(group); group >= 0; group = groups.NextOf(group))
        {
            blocks.Add((columns.Append(groups.FeaturesOf(group), groups.PositionsOf(group), events), groups.PositionsOf(group)));
        }

        return blocks;
    }

    // The device's blocks one after the other, in the order of their first events (the first defines a new device's width).
    private async ValueTask<DeviceReport> IngestDeviceAsync(
        string deviceKey, List<(TelemetryBlock Block, ArraySegment<int> Positions)> blocks, List<(int Index, TelemetryEvent Event)> events, List<EventRejection> errors)
    {
        var total = new DeviceReport(0, 0, 0);
        foreach (var (block, positions) in blocks)
        {
            var report = await IngestBlockAsync(deviceKey, block, positions, events, errors);
            total = new DeviceReport(total.Accepted + report.Accepted, total.Duplicates + report.Duplicates, total.Failed + report.Failed);
        }

        return total;
    }

    // What one device call did; its rejections (and, when it failed, its events) are added to the batch's errors.
    private readonly record struct DeviceReport(int Accepted, int Duplicates, int Failed);

    private async ValueTask<DeviceReport> IngestBlockAsync(
        string deviceKey, TelemetryBlock block, ArraySegment<int> positions, List<(int Index, TelemetryEvent Event)> events, List<EventRejection> errors)
    {
        try
        {
            var device = grains.GetGrainFast<IDeviceGrain>(deviceKey);
            var outcome = options.Value.CallPerEvent
                ? await IngestOneByOneAsync(device, block)
                : await device.IngestAsync(block);
            if (outcome.Rejected.Count > 0)
            {
                lock (errors)
                {
                    foreach (var rejection in outcome.Rejected)
                    {
                        errors.Add(new EventRejection(events[positions[rejection.Index]].Index, rejection.Reason));
                    }
                }
            }

            return new DeviceReport(outcome.Accepted, outcome.Duplicates, 0);
        }
        catch (Exception ex)
        {
            LogDeviceCallFailed(logger, ex, deviceKey, positions.Count);
            var reason = $"not applied: the call to device {deviceKey} failed ({ex.GetType().Name}); sending it again is safe";
            lock (errors)
            {
                foreach (var position in positions)
                {
                    errors.Add(new EventRejection(events[position].Index, reason, Retryable: true));
                }
            }

            return new DeviceReport(0, 0, positions.Count);
        }
    }

    // In order, each call awaited before the next: what a caller without batching does.
    private static async ValueTask<IngestOutcome> IngestOneByOneAsync(IDeviceGrain device, TelemetryBlock block)
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
