using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Anomalies;

/// <summary>A fleet's kept anomaly events, oldest first.</summary>
[GenerateSerializer]
public sealed class FleetAnomaliesState
{
    [Id(0)]
    public List<AnomalyEvent> Events { get; set; } = [];
}
