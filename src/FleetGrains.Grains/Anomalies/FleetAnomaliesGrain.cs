using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Anomalies;

/// <summary>
/// The anomaly log of one fleet: devices send an event on every move to Warning or Critical (rare, thanks
/// to hysteresis); the newest <see cref="AnomalyLogOptions.MaxEventsPerFleet"/> are kept and written on
/// the silo's write schedule and on deactivation, not per event.
/// </summary>
public sealed class FleetAnomaliesGrain(
    [PersistentState("anomalies", FleetStorage.Name)] IPersistentState<FleetAnomaliesState> state,
    IOptions<AnomalyLogOptions> options,
    StateWriteSchedule writes,
    ILogger<FleetAnomaliesGrain> logger) : Grain, IFleetAnomaliesGrain, IWritesStateWhenDue
{
    private DelayedStateWriter? _writer;

    private DelayedStateWriter Writer => _writer ??= new DelayedStateWriter(
        this, state, options.Value.PersistInterval, writes, logger);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Writer.SaveAndCloseAsync();

    public Task WriteDueStateAsync() => Writer.WriteDueAsync();

    public Task RecordAsync(AnomalyEvent anomaly)
    {
        var events = state.State.Events;
        events.Add(anomaly);
        var excess = events.Count - options.Value.MaxEventsPerFleet;
        if (excess > 0)
        {
            events.RemoveRange(0, excess);
        }

        Writer.MarkDirty();
        return Task.CompletedTask;
    }

    public Task<AnomalyPage> GetPageAsync(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var events = state.State.Events;
        var page = new List<AnomalyEvent>(Math.Max(0, Math.Min(limit, events.Count - offset)));
        for (var i = events.Count - 1 - offset; i >= 0 && page.Count < limit; i--)
        {
            page.Add(events[i]);
        }

        return Task.FromResult(new AnomalyPage(events.Count, offset, page));
    }
}
