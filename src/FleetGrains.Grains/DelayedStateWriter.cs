using Microsoft.Extensions.Logging;
using Orleans.Core;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// Writes a grain's state at most <c>delay</c> after its first unsaved change (never per change), or at once on
/// <see cref="SaveAsync"/> (an operator's action, a device writing before it acknowledges). A failed write is
/// logged and tried again after the delay. The wait is kept by the silo's <see cref="StateWriteSchedule"/>, which
/// calls the grain when it is over (<see cref="IWritesStateWhenDue"/>); grain calls do not interleave, so at most
/// one write is in flight.
/// </summary>
/// <remarks>
/// A write refused for a version conflict is not tried again: the stored copy changed since this activation
/// read or wrote it, either by another activation or by a write of this one whose answer was lost (Redis
/// restarting between applying a write and replying). Every later write would be refused the same way, so the
/// activation goes away and the next one starts from the stored copy; its unsaved changes are dropped, which
/// for a device writing before it acknowledges means samples its source still holds and sends again.
/// <para>
/// Each wait is drawn between half the delay and the delay: grains that changed together (a fleet's devices all
/// receiving their first event in the same second) would otherwise write together, every delay, for as long as
/// they stay busy — tens of thousands of writes in one burst that stalls every request on the silo.
/// </para>
/// </remarks>
public sealed partial class DelayedStateWriter(IGrainBase grain, IStorage state, TimeSpan delay, StateWriteSchedule schedule, ILogger logger)
{
    private bool _dirty;
    private bool _closed;
    private long _slot = StateWriteSchedule.NotScheduled;

    public void MarkDirty()
    {
        if (_closed)
        {
            return;
        }

        _dirty = true;
        if (_slot == StateWriteSchedule.NotScheduled || schedule.IsLost(_slot))
        {
            _slot = schedule.Schedule(grain.GrainContext.GrainId, Jittered(delay));
        }
    }

    /// <summary>The schedule's call: the delay is over.</summary>
    public Task WriteDueAsync()
    {
        _slot = StateWriteSchedule.NotScheduled;
        return SaveAsync();
    }

    /// <summary>Writes now if anything changed; false when the write failed (retried later) or the stored copy was written by someone else.</summary>
    public async Task<bool> SaveAsync()
    {
        if (_closed)
        {
            return false;
        }

        if (!_dirty)
        {
            return true;
        }

        _dirty = false;
        try
        {
            await state.WriteStateAsync();
            return true;
        }
        catch (InconsistentStateException ex)
        {
            Close();
            LogSuperseded(logger, ex, grain.GrainContext.GrainId);
            grain.DeactivateOnIdle();
            return false;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, grain.GrainContext.GrainId);
            MarkDirty();
            return false;
        }
    }

    /// <summary>The grain deactivates: a last write if anything changed, and no more after it (nor a call from the schedule).</summary>
    public async Task<bool> SaveAndCloseAsync()
    {
        var saved = await SaveAsync();
        Close();
        return saved;
    }

    private void Close()
    {
        _closed = true;
        if (_slot != StateWriteSchedule.NotScheduled)
        {
            schedule.Cancel(grain.GrainContext.GrainId, _slot);
            _slot = StateWriteSchedule.NotScheduled;
        }
    }

    private static TimeSpan Jittered(TimeSpan delay) => delay / 2 + delay / 2 * Random.Shared.NextDouble();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the state of {Grain} failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception, GrainId grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the state of {Grain} was refused: the stored copy was written by someone else since this activation read it (another activation, or an earlier write whose answer was lost). The activation stops and the next one starts from the stored copy; changes not yet written are dropped")]
    private static partial void LogSuperseded(ILogger logger, Exception exception, GrainId grain);
}
