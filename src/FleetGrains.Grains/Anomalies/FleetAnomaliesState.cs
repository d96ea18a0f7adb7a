using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Anomalies;

/// <summary>A fleet's kept alarm episodes, in the order they were raised.</summary>
[GenerateSerializer]
public sealed class FleetAnomaliesState
{
    // Id 0 held the moves to Warning or Critical of the log before episodes (issue 22): never reuse it.
    [Id(1)]
    public List<AnomalyEpisode> Episodes { get; set; } = [];
}
