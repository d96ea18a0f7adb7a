using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Ingestion.Sources;

/// <summary>What the sources' rebalancing loops share.</summary>
public static class Rebalancing
{
    /// <summary>The cluster's active silos that read the source <paramref name="role"/> (<see cref="SourceRoles"/>), by the names partition owners go by.</summary>
    public static IEnumerable<string> ActiveReaders(IClusterMembershipService membership, ISiloMetadataCache metadata, string role) =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && metadata.Reads(m.SiloAddress, role))
            .Select(m => m.SiloAddress.ToParsableString());

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
