namespace FleetGrains.Abstractions;

/// <summary>A fleet as listed by <c>GET /api/fleets</c>: its counts without the device lists.</summary>
[GenerateSerializer, Immutable]
public sealed record FleetSummary(
    [property: Id(0)] string FleetId,
    [property: Id(1)] int DeviceCount,
    [property: Id(2)] IReadOnlyDictionary<HealthState, int> Counts,
    [property: Id(3)] DateTimeOffset? LastUpdated)
{
    /// <summary>The events its devices accepted per second across the cluster (<see cref="FleetRollup.EventsPerSecond"/>).</summary>
    [Id(4)]
    public double EventsPerSecond { get; init; }

    /// <summary><see cref="FleetRollup.ArrivalLagSeconds"/>.</summary>
    [Id(5)]
    public double? ArrivalLagSeconds { get; init; }

    /// <summary><see cref="FleetRollup.DeadLetteredLastHour"/>.</summary>
    [Id(6)]
    public long DeadLetteredLastHour { get; init; }

    public static FleetSummary From(FleetRollup rollup) =>
        new(rollup.FleetId, rollup.DeviceCount, rollup.Counts, rollup.LastUpdated)
        {
            EventsPerSecond = rollup.EventsPerSecond,
            ArrivalLagSeconds = rollup.ArrivalLagSeconds,
            DeadLetteredLastHour = rollup.DeadLetteredLastHour,
        };
}
