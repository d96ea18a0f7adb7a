using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>A change written before it is answered (an operator's action, a rare registration).</summary>
public static class ImmediateStateWrite
{
    /// <summary>
    /// Writes the grain's state; when the write fails the change is undone in memory, so that what the grain
    /// serves is what is stored and the caller can simply try again, and the error goes to the caller. A
    /// version conflict also ends the activation, for the reason <see cref="DelayedStateWriter"/> gives.
    /// </summary>
    public static async Task WriteOrUndoAsync<T>(this IGrainBase grain, IPersistentState<T> state, Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            undo();
            if (ex is InconsistentStateException)
            {
                grain.DeactivateOnIdle();
            }

            throw;
        }
    }
}
