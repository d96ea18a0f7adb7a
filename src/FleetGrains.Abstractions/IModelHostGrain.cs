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

    [Alias("GetStatus")]
    Task<ModelHostStatus> GetStatusAsync();
}
