namespace FleetGrains.Abstractions;

/// <summary>
/// How a device is scored: by <see cref="Scorer"/> (<c>statistical</c> or a model key), its latest
/// remaining-useful-life estimate when its fleet has a RUL model, and the last scoring failure (a model
/// host that cannot be reached or is saturated): the samples were kept, only their scores are missing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceScoring(
    [property: Id(0)] string Scorer,
    [property: Id(1)] string? RulModel,
    [property: Id(2)] float? Rul,
    [property: Id(3)] DateTimeOffset? RulAt,
    [property: Id(4)] long Failures,
    [property: Id(5)] string? LastError,
    [property: Id(6)] DateTimeOffset? LastErrorAt);
