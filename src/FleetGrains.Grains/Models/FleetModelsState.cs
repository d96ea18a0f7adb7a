using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Models;

/// <summary>A fleet's registry entry as persisted: only assignments made through the API are stored.</summary>
[GenerateSerializer]
public sealed class FleetModelsState
{
    [Id(0)]
    public FleetModelAssignment? Assigned { get; set; }
}
