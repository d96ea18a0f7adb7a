namespace FleetGrains.Grains;

/// <summary>
/// Writes a grain's state a fixed delay after its first unsaved change (never per change), or at once on
/// <see cref="SaveAsync"/> (deactivation, an operator's action). A failed write is reported and tried
/// again after the delay. Grain calls and timer callbacks do not interleave, so at most one write is in flight.
/// </summary>
public sealed class DelayedStateWriter(IGrainBase grain, Func<Task> write, TimeSpan delay, Action<Exception> onFailure)
{
    private bool _dirty;
    private IGrainTimer? _timer;

    public void MarkDirty()
    {
        _dirty = true;
        _timer ??= grain.RegisterGrainTimer(
            async _ =>
            {
                _timer?.Dispose();
                _timer = null;
                await SaveAsync();
            },
            new GrainTimerCreationOptions { DueTime = delay, Period = Timeout.InfiniteTimeSpan });
    }

    /// <summary>Writes now if anything changed; false when the write failed (it is retried later).</summary>
    public async Task<bool> SaveAsync()
    {
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
        catch (Exception ex)
        {
            onFailure(ex);
            MarkDirty();
            return false;
        }
    }
}
