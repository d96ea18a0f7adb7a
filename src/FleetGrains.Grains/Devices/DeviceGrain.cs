using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The grain of one device. It applies telemetry to its <see cref="DeviceTwin"/>, writes the twin to
/// storage on a timer when it changed (never per event) and on deactivation, and reports status
/// changes to its fleet shard, at most once per report interval.
/// </summary>
public sealed partial class DeviceGrain(
    [PersistentState("device", FleetStorage.Name)] IPersistentState<DeviceState> state,
    IAnomalyScorer scorer,
    IOptions<DeviceOptions> deviceOptions,
    IOptions<RollupOptions> rollupOptions,
    TimeProvider time,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain
{
    private readonly DeviceOptions _options = deviceOptions.Value;
    private string _fleetId = "";
    private string _deviceId = "";
    private bool _dirty;
    private IGrainTimer? _persistTimer;
    private IGrainTimer? _reportTimer;
    private DeviceStatus? _lastReported;
    private DateTimeOffset _lastReportAt = DateTimeOffset.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_fleetId, _deviceId) = FleetKeys.ParseDevice(this.GetPrimaryKeyString());
        if (state.State.Twin is { } twin)
        {
            var windowSize = _options.WindowSizeFor(_fleetId);
            if (twin.Window.Capacity != windowSize)
            {
                twin.ResizeWindow(windowSize);
                MarkDirty();
            }
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_reportTimer is not null)
        {
            await FlushReportAsync(cancellationToken);
        }

        await SaveAsync();
    }

    public Task<IngestOutcome> IngestAsync(TelemetrySample[] samples)
    {
        if (samples is null || samples.Length == 0)
        {
            return Task.FromResult(new IngestOutcome(0, 0, []));
        }

        var twin = state.State.Twin ??= CreateTwin(samples);
        var now = time.GetUtcNow();
        var wasOffline = twin.HealthAt(now, _options) == HealthState.Offline;
        var outcome = twin.Ingest(samples, now, _options, scorer, out var healthChanged);
        if (outcome.Accepted > 0)
        {
            MarkDirty();
            ConsiderReport(force: healthChanged || wasOffline);
        }

        return Task.FromResult(outcome);
    }

    public Task<DeviceSnapshot?> GetSnapshotAsync() =>
        Task.FromResult(state.State.Twin?.ToSnapshot(_fleetId, _deviceId, time.GetUtcNow(), _options));

    public Task<TelemetryWindow?> GetWindowAsync() =>
        Task.FromResult(state.State.Twin?.ToWindow(_fleetId, _deviceId));

    public Task<DeviceSnapshot?> PinThresholdAsync(float? threshold)
    {
        if (state.State.Twin is not { } twin)
        {
            return Task.FromResult<DeviceSnapshot?>(null);
        }

        twin.PinThreshold(threshold);
        LogThresholdPinned(logger, _fleetId, _deviceId, threshold);
        MarkDirty();
        ConsiderReport(force: true);
        return GetSnapshotAsync();
    }

    private DeviceTwin CreateTwin(TelemetrySample[] samples)
    {
        var featureCount = _options.FeatureCountFor(_fleetId)
            ?? samples.FirstOrDefault(s => s.Values is { Length: > 0 })?.Values.Length
            ?? 1;
        return new DeviceTwin(_options.WindowSizeFor(_fleetId), featureCount);
    }

    private void ConsiderReport(bool force)
    {
        var now = time.GetUtcNow();
        var status = state.State.Twin!.ToStatus(_deviceId, now, _options);
        if (!force && !IsNewsworthy(status, now))
        {
            return;
        }

        var nextAllowed = _lastReportAt + _options.ReportInterval;
        if (now >= nextAllowed)
        {
            SendReport(status, now);
        }
        else
        {
            _reportTimer ??= this.RegisterGrainTimer(
                FlushReportAsync,
                new GrainTimerCreationOptions { DueTime = nextAllowed - now, Period = Timeout.InfiniteTimeSpan });
        }
    }

    private bool IsNewsworthy(DeviceStatus status, DateTimeOffset now)
    {
        if (_lastReported is not { } last)
        {
            return true;
        }

        // Re-report halfway to the deadline the shard knows, so a live device never looks Offline;
        // and at once when the deadline moved earlier (the device reports more often than assumed).
        var heartbeatDue = last.LastSeen + ((last.OfflineAfter - last.LastSeen) / 2);
        return status.Health != last.Health
            || status.Threshold != last.Threshold
            || Math.Abs((status.Severity ?? 0) - (last.Severity ?? 0)) >= _options.SeverityReportStep
            || status.OfflineAfter < last.OfflineAfter
            || now >= heartbeatDue;
    }

    private Task FlushReportAsync(CancellationToken cancellationToken)
    {
        _reportTimer?.Dispose();
        _reportTimer = null;
        var now = time.GetUtcNow();
        SendReport(state.State.Twin!.ToStatus(_deviceId, now, _options), now);
        return Task.CompletedTask;
    }

    private void SendReport(DeviceStatus status, DateTimeOffset now)
    {
        var shard = FleetKeys.ShardOf(_deviceId, rollupOptions.Value.ShardsPerFleet);
        // One-way: the device never waits for its shard.
        GrainFactory.GetGrain<IFleetShardGrain>(FleetKeys.Shard(_fleetId, shard)).ReportAsync(status).Ignore();
        _lastReported = status;
        _lastReportAt = now;
    }

    private void MarkDirty()
    {
        _dirty = true;
        _persistTimer ??= this.RegisterGrainTimer(
            PersistTimerAsync,
            new GrainTimerCreationOptions { DueTime = _options.PersistInterval, Period = Timeout.InfiniteTimeSpan });
    }

    private async Task PersistTimerAsync(CancellationToken cancellationToken)
    {
        _persistTimer?.Dispose();
        _persistTimer = null;
        await SaveAsync();
    }

    // Grain calls and timer callbacks do not interleave here, so at most one write is ever in flight.
    private async Task SaveAsync()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogPersistFailed(logger, ex, _fleetId, _deviceId);
            MarkDirty();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Threshold of {FleetId}/{DeviceId} pinned to {Threshold} (null = learned)")]
    private static partial void LogThresholdPinned(ILogger logger, string fleetId, string deviceId, float? threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the state of {FleetId}/{DeviceId} failed; will retry")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception, string fleetId, string deviceId);
}
