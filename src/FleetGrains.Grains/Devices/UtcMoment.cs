namespace FleetGrains.Grains.Devices;

/// <summary>
/// An optional moment in 8 bytes (UTC ticks; 0 for none) where a <c>DateTimeOffset?</c> takes 24: the twin keeps
/// three of them, for each of a silo's million devices. The offset is not kept: the twin's moments are the silo's UTC clock.
/// </summary>
public readonly record struct UtcMoment
{
    private readonly long _utcTicks;

    public UtcMoment(DateTimeOffset? moment) => _utcTicks = moment?.UtcTicks ?? 0;

    public DateTimeOffset? Value => _utcTicks == 0 ? null : new DateTimeOffset(_utcTicks, TimeSpan.Zero);
}
