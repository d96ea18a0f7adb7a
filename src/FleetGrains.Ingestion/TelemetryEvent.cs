namespace FleetGrains.Ingestion;

/// <summary>
/// One telemetry event as decoded from the wire. Fields a sender left out are null, so that the
/// validator can say precisely what is missing.
/// </summary>
public sealed record TelemetryEvent(string? FleetId, string? DeviceId, long? Ts, long? Seq, float[]? Values);

/// <summary>
/// An event that could not be used, by its 0-based position in the request, and why. <see cref="Retryable"/>:
/// the event is valid but its device did not take it (sending it again is safe).
/// </summary>
public sealed record EventRejection(int Index, string Reason, bool Retryable = false);
