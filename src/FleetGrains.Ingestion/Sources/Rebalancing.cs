using Orleans.Runtime;

namespace FleetGrains.Ingestion.Sources;

/// <summary>What the sources' rebalancing loops share.</summary>
public static class Rebalancing
{
    /// <summary>The cluster's active silos, by the names partition owners go by.</summary>
    public static IEnumerable<string> ActiveSilos(IClusterMembershipService membership) =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString());

    /// <summary>Waits for the next tick; false once the silo is stopping.</summary>
    public static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
