using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Scoring;

/// <summary>
/// The <see cref="IScoringBatcher"/> of a silo without model serving (FleetGrains.Inference not added): every request
/// fails with the reason, which the device records as a scoring failure. Every FleetGrains silo adds model serving.
/// </summary>
public sealed class NoModelServing : IScoringBatcher
{
    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request) =>
        Task.FromException<ScoringResult>(new InvalidOperationException($"This silo serves no models (model serving is not added to it), so {model} cannot score here."));
}
