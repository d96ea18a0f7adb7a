namespace FleetGrains.Abstractions;

/// <summary>A fleet as listed by <c>GET /api/fleets</c>: its counts without the device lists.</summary>
[GenerateSerializer, Immutable]
public sealed record FleetSummary(
    [property: Id(0)] string FleetId,
    [property: Id(1)] int DeviceCount,
    [property: Id(2)] IReadOnlyDictionary<HealthState, int> Counts,
    [property: Id(3)] DateTimeOffset? LastUpdated)
{
    public static FleetSummary From(FleetRollup rollup) => new(rollup.FleetId, rollup.DeviceCount, rollup.Counts, rollup.LastUpdated);
}
