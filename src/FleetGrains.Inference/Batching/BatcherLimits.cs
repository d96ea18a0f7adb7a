namespace FleetGrains.Inference.Batching;

/// <summary>
/// When the silo-local batcher sends: at <see cref="MaxRows"/> rows for one model, or when the oldest
/// waiting request is <see cref="MaxDelay"/> old; it holds at most <see cref="MaxQueuedRows"/> rows per model.
/// </summary>
public sealed record BatcherLimits(int MaxRows, TimeSpan MaxDelay, int MaxQueuedRows);
