using FleetGrains.Abstractions;
using FleetGrains.Grains.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Fleets;

/// <summary>
/// One shard of a fleet. Devices report their status changes here (each silo's together, <see cref="StatusReportSchedule"/>); a timer marks silent devices
/// Offline (one timer per shard, not one reminder per device) and sends the shard's summary to the
/// fleet grain when it changed. Its load is bounded by the devices of one shard. The devices' statuses
/// are written a persist interval after a report changed them, not per report. A device whose Offline deadline passes
/// is told to the fleet's webhooks (one-way), once per silence.
/// </summary>
public sealed class FleetShardGrain(
    [PersistentState("shard", FleetStorage.Name)] IPersistentState<ShardState> state,
    IOptions<RollupOptions> options,
    TimeProvider time,
    StateWriteSchedule writes,
    ILogger<FleetShardGrain> logger) : Grain, IFleetShardGrain, IWritesStateWhenDue
{
    private readonly RollupOptions _options = options.Value;
    private string _fleetId = "";
    private int _shard;
    private bool _registered;
    private DelayedStateWriter? _writer;
    private ShardSummary? _lastSent;
    private DateTimeOffset _lastSentAt;
    private DateTimeOffset _lastTick;

    private DelayedStateWriter Writer => _writer ??= new DelayedStateWriter(
        this, state, _options.PersistInterval, writes, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_fleetId, _shard) = FleetKeys.ParseShard(this.GetPrimaryKeyString());
        _lastTick = time.GetUtcNow();
        this.RegisterGrainTimer(
            TickAsync,
            new GrainTimerCreationOptions { DueTime = _options.SummaryInterval, Period = _options.SummaryInterval });
        if (state.State.Devices.Count > 0)
        {
            await EnsureRegisteredAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Writer.SaveAndCloseAsync();

    public Task WriteDueStateAsync() => Writer.WriteDueAsync();

    public async Task ReportAsync(DeviceStatus[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        if (statuses.Length == 0)
        {
            return;
        }

        foreach (var status in statuses)
        {
            if (status?.DeviceId is not null)
            {
                state.State.Devices[status.DeviceId] = status;
            }
        }

        Writer.MarkDirty();
        await EnsureRegisteredAsync();
    }

    public Task<ShardSummary> GetSummaryAsync() => Task.FromResult(Summarise(time.GetUtcNow()));

    public Task<DevicePage> GetDevicesAsync(DeviceQuery query) =>
        Task.FromResult(ShardView.Query(state.State.Devices.Values, query, time.GetUtcNow()));

    private Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        NotifyNewlyOffline(now);
        var summary = Summarise(now);
        if (_lastSent is null || !ShardView.SameAs(summary, _lastSent) || now - _lastSentAt >= _options.SummaryRefreshInterval)
        {
            if (summary.DeviceCount > 0)
            {
                GrainFactory.GetGrain<IFleetGrain>(_fleetId).ReportShardAsync(summary).Ignore();
            }

            _lastSent = summary;
            _lastSentAt = now;
        }

        return Task.CompletedTask;
    }

    /// <summary>Tells the fleet's webhooks about each device whose Offline deadline passed since the last tick.</summary>
    private void NotifyNewlyOffline(DateTimeOffset now)
    {
        IFleetWebhooksGrain? webhooks = null;
        foreach (var status in state.State.Devices.Values)
        {
            if (status.Health != HealthState.Offline && status.OfflineAfter > _lastTick && status.OfflineAfter <= now)
            {
                webhooks ??= GrainFactory.GetGrain<IFleetWebhooksGrain>(_fleetId);
                webhooks.NotifyAsync(WebhookNotifications.DeviceOffline(_fleetId, status, now)).Ignore();
            }
        }

        _lastTick = now;
    }

    private ShardSummary Summarise(DateTimeOffset now) => ShardView.Summarise(_shard, state.State.Devices.Values, now, _options);

    private async Task EnsureRegisteredAsync()
    {
        if (_registered)
        {
            return;
        }

        await GrainFactory.GetGrain<IFleetDirectoryGrain>(0).RegisterAsync(_fleetId);
        _registered = true;
    }
}
