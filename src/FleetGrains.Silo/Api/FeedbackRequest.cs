using System.Text.Json.Serialization;

namespace FleetGrains.Silo.Api;

/// <summary>Body of <c>POST /api/devices/{fleetId}/{deviceId}/feedback</c>: <c>{"kind": "false-positive"}</c>.</summary>
public sealed record FeedbackRequest([property: JsonRequired] string Kind);
