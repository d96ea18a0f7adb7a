namespace FleetGrains.Ingestion;

/// <summary>
/// One telemetry event as decoded from the wire. Fields a sender left out are null, so that the
/// validator can say precisely what is missing. A value, not an object: <see cref="Values"/> points into
/// the <see cref="DecodedBatch"/> that decoded it, so decoding makes no object per event.
/// </summary>
public readonly record struct TelemetryEvent(string? FleetId, string? DeviceId, long? Ts, long? Seq, ReadOnlyMemory<float>? Values);

/// <summary>
/// An event that could not be used, by its 0-based position in the request, and why. <see cref="Retryable"/>:
/// the event is valid but its device did not take it (sending it again is safe).
/// </summary>
public sealed record EventRejection(int Index, string Reason, bool Retryable = false);
