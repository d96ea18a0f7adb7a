namespace FleetGrains.Grains;

/// <summary>The grain storage provider every FleetGrains grain persists to.</summary>
public static class FleetStorage
{
    public const string Name = "fleet";
}
