namespace FleetGrains.Abstractions;

/// <summary>
/// Serves one model version (key: <see cref="ModelRef.Key"/>) with an ONNX Runtime session. It lives
/// only on silos that host models, and merges the requests that arrive together into one run.
/// </summary>
[Alias("FleetGrains.IModelHostGrain")]
public interface IModelHostGrain : IGrainWithStringKey
{
    /// <summary>
    /// Scores the rows of <paramref name="request"/>. Fails with <see cref="ArgumentException"/> when the
    /// rows do not fit the model and with <see cref="ModelHostBusyException"/> when too many rows are queued.
    /// </summary>
    [Alias("Score")]
    Task<ScoringResult> ScoreAsync(ScoringRequest request);

    /// <summary>
    /// Scores several requests together (a batcher's batch), each answered with its own rows, without
    /// concatenating them first. Refused as a whole when too many rows are queued; fails as a whole when a
    /// request does not fit the model.
    /// </summary>
    [Alias("ScoreBatch")]
    Task<ScoringResult[]> ScoreBatchAsync(ScoringRequest[] requests);

    [Alias("GetStatus")]
    Task<ModelHostStatus> GetStatusAsync();
}
