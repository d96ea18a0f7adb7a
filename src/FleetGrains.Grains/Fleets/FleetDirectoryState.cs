namespace FleetGrains.Grains.Fleets;

[GenerateSerializer]
public sealed class FleetDirectoryState
{
    [Id(0)]
    public SortedSet<string> Fleets { get; set; } = new(StringComparer.Ordinal);
}
