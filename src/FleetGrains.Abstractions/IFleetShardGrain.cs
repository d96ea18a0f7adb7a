using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>
/// One shard of a fleet, keyed <c>{fleetId}/{shard}</c>: it keeps the latest status of its devices,
/// marks the silent ones Offline and sends its summary to the fleet grain.
/// </summary>
[Alias("FleetGrains.IFleetShardGrain")]
public interface IFleetShardGrain : IGrainWithStringKey
{
    /// <summary>The newest statuses of some of this shard's devices (a silo sends its devices' reports together).</summary>
    [Alias("ReportMany"), OneWay]
    Task ReportAsync(DeviceStatus[] statuses);

    [Alias("GetSummary")]
    Task<ShardSummary> GetSummaryAsync();

    /// <summary>The first <c>Offset + Limit</c> devices of this shard in the query's order.</summary>
    [Alias("GetDevices")]
    Task<DevicePage> GetDevicesAsync(DeviceQuery query);
}
