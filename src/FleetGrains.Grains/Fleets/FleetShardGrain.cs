using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Fleets;

/// <summary>
/// One shard of a fleet. Devices report their status changes here; a timer marks silent devices
/// Offline (one timer per shard, not one reminder per device) and sends the shard's summary to the
/// fleet grain when it changed. Its load is bounded by the devices of one shard.
/// </summary>
public sealed partial class FleetShardGrain(
    [PersistentState("shard", FleetStorage.Name)] IPersistentState<ShardState> state,
    IOptions<RollupOptions> options,
    TimeProvider time,
    ILogger<FleetShardGrain> logger) : Grain, IFleetShardGrain
{
    private readonly RollupOptions _options = options.Value;
    private string _fleetId = "";
    private int _shard;
    private bool _registered;
    private bool _dirty;
    private DateTimeOffset _lastPersistAt;
    private ShardSummary? _lastSent;
    private DateTimeOffset _lastSentAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_fleetId, _shard) = FleetKeys.ParseShard(this.GetPrimaryKeyString());
        _lastPersistAt = time.GetUtcNow();
        this.RegisterGrainTimer(
            TickAsync,
            new GrainTimerCreationOptions { DueTime = _options.SummaryInterval, Period = _options.SummaryInterval });
        if (state.State.Devices.Count > 0)
        {
            await EnsureRegisteredAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await SaveAsync();
    }

    public async Task ReportAsync(DeviceStatus status)
    {
        state.State.Devices[status.DeviceId] = status;
        _dirty = true;
        await EnsureRegisteredAsync();
    }

    public Task<ShardSummary> GetSummaryAsync() => Task.FromResult(Summarise(time.GetUtcNow()));

    public Task<DevicePage> GetDevicesAsync(DeviceQuery query) =>
        Task.FromResult(ShardView.Query(state.State.Devices.Values, query, time.GetUtcNow()));

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
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

        if (_dirty && now - _lastPersistAt >= _options.PersistInterval)
        {
            await SaveAsync();
        }
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

    private async Task SaveAsync()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        _lastPersistAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _dirty = true;
            LogPersistFailed(logger, ex, _fleetId, _shard);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing shard {Shard} of fleet {FleetId} failed; will retry")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception, string fleetId, int shard);
}
