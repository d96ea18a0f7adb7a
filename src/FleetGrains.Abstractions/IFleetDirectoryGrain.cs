namespace FleetGrains.Abstractions;

/// <summary>The list of known fleets. One instance (key 0); written once per fleet shard activation.</summary>
[Alias("FleetGrains.IFleetDirectoryGrain")]
public interface IFleetDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task RegisterAsync(string fleetId);

    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    [Alias("Contains")]
    Task<bool> ContainsAsync(string fleetId);
}
