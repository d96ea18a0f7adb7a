namespace FleetGrains.Abstractions;

/// <summary>
/// The models a fleet's devices are scored with: an anomaly model (a window autoencoder; none means
/// the built-in statistical scorer) and a remaining-useful-life model (none means no RUL estimates).
/// <see cref="Version"/> grows with every change, so devices notice a switch; <see cref="Source"/> is
/// <c>configuration</c> or <c>api</c>; <see cref="Problem"/> says why a configured model is not in use.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FleetModelAssignment(
    [property: Id(0)] string FleetId,
    [property: Id(1)] ModelDescription? Anomaly,
    [property: Id(2)] ModelDescription? Rul,
    [property: Id(3)] long Version,
    [property: Id(4)] string Source,
    [property: Id(5)] DateTimeOffset? ChangedAt,
    [property: Id(6)] string? Problem)
{
    public static FleetModelAssignment None(string fleetId, string source, string? problem = null) =>
        new(fleetId, null, null, 0, source, null, problem);
}
