namespace FleetGrains.Abstractions;

/// <summary>
/// What a device tells its fleet shard when its state changes (coalesced, at most one report
/// per device per report interval). <see cref="OfflineAfter"/> is the moment the device becomes
/// Offline if it does not report again; the shard's timer enforces it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceStatus(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] HealthState Health,
    [property: Id(2)] float? Score,
    [property: Id(3)] float? Threshold,
    [property: Id(4)] DateTimeOffset LastSeen,
    [property: Id(5)] DateTimeOffset OfflineAfter)
{
    /// <summary>Score relative to the device's own threshold; 1 means "at the threshold".</summary>
    public float? Severity => SeverityOf(Score, Threshold);

    /// <summary>The severity of <paramref name="score"/> against <paramref name="threshold"/>; null without both (or with no positive threshold).</summary>
    public static float? SeverityOf(float? score, float? threshold) => score is { } s && threshold is > 0 ? s / threshold.Value : null;
}
