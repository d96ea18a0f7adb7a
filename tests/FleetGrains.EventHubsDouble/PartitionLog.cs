namespace FleetGrains.EventHubsDouble;

/// <summary>
/// The events of one partition, in order, kept for the double's lifetime (no retention limit). Sequence numbers count
/// from 0; offsets are byte positions (each event takes its body's length plus a fixed header), so they grow but are
/// not the sequence numbers — a client confusing the two reads from the wrong place.
/// </summary>
public sealed class PartitionLog(string id)
{
    private const long HeaderBytes = 64;

    private readonly List<StoredEvent> _events = [];
    private readonly Lock _gate = new();
    private long _nextOffset;

    /// <summary>Raised after events were appended (outside the lock), for the receivers waiting on this partition.</summary>
    public event Action? Appended;

    public string Id { get; } = id;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    public StoredEvent? Last
    {
        get
        {
            lock (_gate)
            {
                return _events.Count == 0 ? null : _events[^1];
            }
        }
    }

    /// <summary>Appends the events of one publish, as one contiguous run.</summary>
    public void Append(IEnumerable<(string? PartitionKey, byte[] Body, Amqp.Framing.Properties? Properties, Amqp.Types.Map? ApplicationProperties, Amqp.Types.Map? Annotations)> events)
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            foreach (var e in events)
            {
                _events.Add(new StoredEvent(_events.Count, _nextOffset, now, e.PartitionKey, e.Body, e.Properties, e.ApplicationProperties, e.Annotations));
                _nextOffset += e.Body.Length + HeaderBytes;
            }
        }

        Appended?.Invoke();
    }

    /// <summary>The event at <paramref name="index"/> (its sequence number), or null when none is there yet.</summary>
    public StoredEvent? At(long index)
    {
        lock (_gate)
        {
            return index < _events.Count ? _events[(int)index] : null;
        }
    }

    /// <summary>The index of the first event after the given offset (or at it, when inclusive).</summary>
    public long FirstAfterOffset(long offset, bool inclusive)
    {
        lock (_gate)
        {
            var (low, high) = (0, _events.Count);
            while (low < high)
            {
                var middle = (low + high) / 2;
                var o = _events[middle].Offset;
                if (inclusive ? o >= offset : o > offset)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }

            return low;
        }
    }

    /// <summary>The index of the first event enqueued after <paramref name="time"/>.</summary>
    public long FirstEnqueuedAfter(DateTime time)
    {
        lock (_gate)
        {
            var index = _events.FindIndex(e => e.EnqueuedTimeUtc > time);
            return index < 0 ? _events.Count : index;
        }
    }
}
