using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Fleets;

/// <summary>The set of known fleets. Written only when a new fleet appears, so one instance is no hotspot.</summary>
public sealed class FleetDirectoryGrain(
    [PersistentState("directory", FleetStorage.Name)] IPersistentState<FleetDirectoryState> state) : Grain, IFleetDirectoryGrain
{
    public async Task RegisterAsync(string fleetId)
    {
        if (state.State.Fleets.Add(fleetId))
        {
            // Undone when not written: shards register until a registration is answered.
            await this.WriteOrUndoAsync(state, () => state.State.Fleets.Remove(fleetId));
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Fleets]);

    public Task<bool> ContainsAsync(string fleetId) => Task.FromResult(state.State.Fleets.Contains(fleetId));
}
