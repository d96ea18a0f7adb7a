using Orleans.Placement;

namespace FleetGrains.Inference.Placement;

/// <summary>Keeps only the silos whose metadata says <c>fleet-models=true</c> as candidates for a grain.</summary>
public sealed class ModelHostPlacementFilterStrategy() : PlacementFilterStrategy(order: 0);
