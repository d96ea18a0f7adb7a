using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Inference.Placement;

/// <summary>The silo metadata keys (Orleans <c>UseSiloMetadata</c>) through which silos declare their roles.</summary>
public static class SiloRoles
{
    /// <summary><c>true</c> on silos that load models and run inference.</summary>
    public const string HostsModels = "fleet-models";

    /// <summary>The execution provider a silo was configured with: <c>cpu</c>, <c>cuda</c> or <c>tensorrt</c>.</summary>
    public const string Accelerator = "accelerator";

    /// <summary>Whether <paramref name="silo"/> declared <c>fleet-models=true</c>.</summary>
    public static bool IsModelHost(this ISiloMetadataCache metadata, SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(HostsModels, out var value)
        && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
