using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// Writes a grain's state at most <c>delay</c> after its first unsaved change (never per change), or at once on
/// <see cref="SaveAsync"/> (deactivation, an operator's action). A failed write is logged and tried again
/// after the delay. Grain calls and timer callbacks do not interleave, so at most one write is in flight.
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
public sealed partial class DelayedStateWriter(IGrainBase grain, Func<Task> write, TimeSpan delay, ILogger logger, Func<string> describe)
{
    private bool _dirty;
    private bool _superseded;
    private IGrainTimer? _timer;

    public void MarkDirty()
    {
        if (_superseded)
        {
            return;
        }

        _dirty = true;
        _timer ??= grain.RegisterGrainTimer(
            async _ =>
            {
                _timer?.Dispose();
                _timer = null;
                await SaveAsync();
            },
            new GrainTimerCreationOptions { DueTime = Jittered(delay), Period = Timeout.InfiniteTimeSpan });
    }

    /// <summary>Writes now if anything changed; false when the write failed (retried later) or the stored copy was written by someone else.</summary>
    public async Task<bool> SaveAsync()
    {
        if (_superseded)
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
            await write();
            return true;
        }
        catch (InconsistentStateException ex)
        {
            _superseded = true;
            _timer?.Dispose();
            _timer = null;
            LogSuperseded(logger, ex, describe());
            grain.DeactivateOnIdle();
            return false;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, describe());
            MarkDirty();
            return false;
        }
    }

    private static TimeSpan Jittered(TimeSpan delay) => delay / 2 + delay / 2 * Random.Shared.NextDouble();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {What} failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {What} was refused: the stored copy was written by someone else since this activation read it (another activation, or an earlier write whose answer was lost). The activation stops and the next one starts from the stored copy; changes not yet written are dropped")]
    private static partial void LogSuperseded(ILogger logger, Exception exception, string what);
}
