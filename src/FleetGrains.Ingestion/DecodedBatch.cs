namespace FleetGrains.Ingestion;

/// <summary>
/// What a decoder made of a request body: the events it could read (by their 0-based position) and
/// the ones it could not, with the reason.
/// </summary>
public sealed class DecodedBatch
{
    public List<(int Index, TelemetryEvent Event)> Events { get; } = [];

    public List<EventRejection> Rejections { get; } = [];

    public int Count => Events.Count + Rejections.Count;
}

/// <summary>The body cannot be read as a whole (broken JSON array, wrong top-level shape).</summary>
public sealed class TelemetryFormatException(string message) : Exception(message);
