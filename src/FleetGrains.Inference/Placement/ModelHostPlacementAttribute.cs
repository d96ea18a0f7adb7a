using Orleans.Placement;

namespace FleetGrains.Inference.Placement;

/// <summary>
/// Places a grain only on model-hosting silos (<see cref="SiloRoles.HostsModels"/> = true in the target
/// silo's metadata). Orleans' own RequiredMatchSiloMetadata filter compares with the calling silo's
/// metadata, which would keep a device grain's model host on the device grain's silo.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ModelHostPlacementAttribute() : PlacementFilterAttribute(new ModelHostPlacementFilterStrategy());
