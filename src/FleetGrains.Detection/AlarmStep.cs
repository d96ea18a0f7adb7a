namespace FleetGrains.Detection;

/// <summary>What one score did: the level before and after it, and the episode it ended, if any.</summary>
public readonly record struct AlarmStep(AlarmLevel Before, AlarmLevel After, AlarmEpisode? Ended)
{
    public bool Changed => Before != After;

    /// <summary>This score opened an episode.</summary>
    public bool Opened => Before < AlarmLevel.Warning && After >= AlarmLevel.Warning;
}
