namespace FleetGrains.Simulation;

public enum FaultKind
{
    None,
    /// <summary>Short bursts of large values on one sensor.</summary>
    Spikes,
    /// <summary>One sensor's offset grows steadily.</summary>
    Drift,
    /// <summary>One sensor repeats its last value.</summary>
    Stuck,
    /// <summary>Several sensors deviate ever faster until the device fails, goes silent, and is repaired.</summary>
    Degradation,
    /// <summary>The device stops reporting for a while, now and then.</summary>
    Outages,
}
