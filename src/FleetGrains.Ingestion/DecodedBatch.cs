namespace FleetGrains.Ingestion;

/// <summary>
/// What a decoder made of a request body: the events it could read (by their 0-based position) and
/// the ones it could not, with the reason. The events' values live in <see cref="Values"/> (pooled chunks) and
/// their ids are one string per distinct id, so that no event has an object of its own. Disposing the batch
/// gives the values back when the batch owns them, and its event list to the <see cref="EventListPool"/>; after that
/// neither its events nor their values may be read.
/// </summary>
public sealed class DecodedBatch : IDisposable
{
    private readonly bool _ownsValues;
    private Dictionary<string, string>? _ids;
    private bool _disposed;

    /// <summary>A batch with a store of its own for at most <paramref name="maxValues"/> values (see <see cref="DecodedValues"/>).</summary>
    public DecodedBatch(int maxValues = int.MaxValue)
        : this(new DecodedValues(maxValues), ownsValues: true)
    {
    }

    /// <summary>A batch whose values go into <paramref name="values"/>, which the caller disposes.</summary>
    public DecodedBatch(DecodedValues values)
        : this(values, ownsValues: false)
    {
    }

    private DecodedBatch(DecodedValues values, bool ownsValues) => (Values, _ownsValues) = (values, ownsValues);

    public DecodedValues Values { get; }

    public List<(int Index, TelemetryEvent Event)> Events { get; } = EventListPool.Rent();

    public List<EventRejection> Rejections { get; } = [];

    public int Count => Events.Count + Rejections.Count;

    /// <summary>Drops what was appended after the batch held <paramref name="events"/> events and <paramref name="rejections"/> rejections (a body that failed as a whole).</summary>
    public void Truncate(int events, int rejections)
    {
        Events.RemoveRange(events, Events.Count - events);
        Rejections.RemoveRange(rejections, Rejections.Count - rejections);
    }

    /// <summary>The string of <paramref name="id"/>: one per distinct id in the batch, not one per event.</summary>
    public string Id(ReadOnlySpan<char> id)
    {
        _ids ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (!_ids.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id, out var text))
        {
            text = id.ToString();
            _ids.Add(text, text);
        }

        return text;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return; // the list may already serve another batch
        }

        _disposed = true;
        EventListPool.Return(Events);
        if (_ownsValues)
        {
            Values.Dispose();
        }
    }
}

/// <summary>The body cannot be read as a whole (broken JSON array, wrong top-level shape).</summary>
public sealed class TelemetryFormatException(string message) : Exception(message);
