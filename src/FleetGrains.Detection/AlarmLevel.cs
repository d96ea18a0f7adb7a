namespace FleetGrains.Detection;

/// <summary>Where a device's scores stand; the values are those of the health states they become.</summary>
public enum AlarmLevel
{
    /// <summary>No threshold yet: the device is still learning it.</summary>
    Unknown = 0,

    /// <summary>Judged, and no episode open.</summary>
    Normal = 1,

    /// <summary>An episode is open.</summary>
    Warning = 2,

    /// <summary>An episode is open and its scores went above threshold × the critical factor.</summary>
    Critical = 3,
}
