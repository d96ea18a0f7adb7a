namespace FleetGrains.Silo.Api;

/// <summary>
/// Body of <c>PUT /api/fleets/{fleetId}/models</c>: the model keys (<c>{id}@{version}</c>) the fleet switches to;
/// null or absent means none (the statistical scorer; no RUL estimates).
/// </summary>
public sealed record ModelAssignmentRequest(string? Anomaly, string? Rul);
