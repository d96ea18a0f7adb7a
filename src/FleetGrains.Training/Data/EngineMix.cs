namespace FleetGrains.Training.Data;

/// <summary>Run-to-failure engines of several C-MAPSS subsets as one training set.</summary>
public static class EngineMix
{
    /// <summary>
    /// All engines of <paramref name="sets"/>, each set's in its own order, interleaved by their position within their set
    /// (engine i of n comes at i / n), so that every contiguous fold of the result (the ensemble's early-stopping folds,
    /// <see cref="Models.RulModel.Train"/>) holds engines of every set in their proportion.
    /// </summary>
    public static List<EngineRun> Interleave(IReadOnlyList<IReadOnlyList<EngineRun>> sets) =>
        [.. sets
            .SelectMany((set, s) => set.Select((engine, i) => (Engine: engine, Position: (double)i / set.Count, Set: s)))
            .OrderBy(e => e.Position)
            .ThenBy(e => e.Set)
            .Select(e => e.Engine)];
}
