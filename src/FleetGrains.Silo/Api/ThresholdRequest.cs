using System.Text.Json.Serialization;

namespace FleetGrains.Silo.Api;

/// <summary>Body of <c>PUT /api/devices/{fleetId}/{deviceId}/threshold</c>: a value pins, null unpins.</summary>
public sealed record ThresholdRequest([property: JsonRequired] float? Value);
