using FleetGrains.Abstractions;
using Orleans.Runtime;

namespace FleetGrains.Inference.Tests;

/// <summary>A test grain that scores through its own silo's batcher, the way a device grain does, and says where it ran.</summary>
[Alias("FleetGrains.Inference.Tests.IScoringProbeGrain")]
public interface IScoringProbeGrain : IGrainWithIntegerKey
{
    [Alias("GetSilo")]
    Task<string> GetSiloAsync();

    [Alias("Score")]
    Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request);
}

public sealed class ScoringProbeGrain(ILocalSiloDetails silo) : Grain, IScoringProbeGrain
{
    public Task<string> GetSiloAsync() => Task.FromResult(silo.SiloAddress.ToString());

    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request) =>
        GrainFactory.GetGrain<IScoringBatcherGrain>(0).ScoreAsync(model, request);
}
