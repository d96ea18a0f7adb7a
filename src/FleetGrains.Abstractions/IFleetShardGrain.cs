using Orleans.Concurrency;

namespace FleetGrains.Abstractions;

/// <summary>
/// One shard of a fleet, keyed <c>{fleetId}/{shard}</c>: it keeps the latest status of its devices,
/// marks the silent ones Offline and sends its summary to the fleet grain.
/// </summary>
[Alias("FleetGrains.IFleetShardGrain")]
public interface IFleetShardGrain : IGrainWithStringKey
{
    [Alias("Report"), OneWay]
    Task ReportAsync(DeviceStatus status);

    [Alias("GetSummary")]
    Task<ShardSummary> GetSummaryAsync();

    /// <summary>The first <c>Offset + Limit</c> devices of this shard in the query's order.</summary>
    [Alias("GetDevices")]
    Task<DevicePage> GetDevicesAsync(DeviceQuery query);
}
