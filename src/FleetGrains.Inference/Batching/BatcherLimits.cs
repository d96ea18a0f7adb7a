namespace FleetGrains.Inference.Batching;

/// <summary>
/// When the silo-local batcher sends: at <see cref="MaxRows"/> rows for one model, or when the oldest
/// waiting request is <see cref="MaxDelay"/> old; it holds at most <see cref="MaxQueuedRows"/> rows per model,
/// and a request still waiting after <see cref="MaxWait"/> (behind a model host that does not answer) fails.
/// </summary>
public sealed record BatcherLimits(int MaxRows, TimeSpan MaxDelay, int MaxQueuedRows, TimeSpan MaxWait);
