using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace FleetGrains.Inference.Placement;

/// <summary>Filters placement candidates down to the silos that declare <c>fleet-models=true</c>.</summary>
public sealed class ModelHostPlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos) =>
        silos.Where(metadata.IsModelHost);
}
