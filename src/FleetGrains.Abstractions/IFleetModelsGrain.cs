namespace FleetGrains.Abstractions;

/// <summary>
/// The model registry entry of one fleet (key: fleet id): which model versions its devices use. It starts
/// from configuration; an assignment made through the API is persisted and wins from then on.
/// </summary>
[Alias("FleetGrains.IFleetModelsGrain")]
public interface IFleetModelsGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<FleetModelAssignment> GetAsync();

    /// <summary>
    /// Switches the fleet to <paramref name="anomaly"/> and <paramref name="rul"/> (null: none). Each model is
    /// loaded by its host first and checked (kind, feature count); fails with <see cref="ArgumentException"/>
    /// when it does not fit, leaving the assignment as it was.
    /// </summary>
    [Alias("Assign")]
    Task<FleetModelAssignment> AssignAsync(ModelRef? anomaly, ModelRef? rul);
}
