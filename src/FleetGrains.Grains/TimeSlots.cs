namespace FleetGrains.Grains;

/// <summary>
/// What is due when, in slots of a fixed resolution: what the silo's schedules (<see cref="StateWriteSchedule"/>,
/// <see cref="Fleets.StatusReportSchedule"/>) keep behind their one timer. Not thread-safe: its owner locks.
/// </summary>
public sealed class TimeSlots<TSlot>(TimeSpan resolution)
    where TSlot : class, new()
{
    private readonly long _resolutionTicks = resolution > TimeSpan.Zero
        ? resolution.Ticks
        : throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "The resolution must be positive.");

    private readonly Dictionary<long, TSlot> _slots = [];
    private long _nextSlot = long.MinValue;

    /// <summary>The slot of the first tick at or after <paramref name="dueAt"/>, never one already taken, made when missing.</summary>
    public (long Slot, TSlot Content) At(DateTimeOffset dueAt, DateTimeOffset now)
    {
        if (_nextSlot == long.MinValue)
        {
            _nextSlot = SlotBefore(now) + 1;
        }

        var slot = Math.Max(SlotAfter(dueAt), _nextSlot);
        if (!_slots.TryGetValue(slot, out var content))
        {
            _slots[slot] = content = new TSlot();
        }

        return (slot, content);
    }

    /// <summary>The content of <paramref name="slot"/> while it waits.</summary>
    public bool TryGet(long slot, out TSlot content) => _slots.TryGetValue(slot, out content!);

    public void Remove(long slot) => _slots.Remove(slot);

    /// <summary>Whether <paramref name="slot"/> was due more than <paramref name="overdue"/> before <paramref name="now"/>.</summary>
    public bool IsOverdue(long slot, DateTimeOffset now, TimeSpan overdue) => slot < SlotBefore(now) - (overdue.Ticks / _resolutionTicks);

    /// <summary>Takes every slot due at <paramref name="now"/>, oldest first.</summary>
    public List<TSlot> TakeDue(DateTimeOffset now)
    {
        var taken = new List<TSlot>();
        var last = SlotBefore(now);
        if (last < _nextSlot)
        {
            return taken;
        }

        // After a long pause of the clock, walking the slots that are there beats walking every slot of the pause.
        IEnumerable<long> candidates = last - _nextSlot < _slots.Count
            ? Enumerable.Range(0, (int)(last - _nextSlot + 1)).Select(i => _nextSlot + i)
            : [.. _slots.Keys.Where(s => s <= last).Order()];
        foreach (var slot in candidates)
        {
            if (_slots.Remove(slot, out var content))
            {
                taken.Add(content);
            }
        }

        _nextSlot = last + 1;
        return taken;
    }

    /// <summary>Takes every slot, due or not, oldest first.</summary>
    public List<TSlot> TakeAll()
    {
        var taken = _slots.OrderBy(s => s.Key).Select(s => s.Value).ToList();
        _slots.Clear();
        return taken;
    }

    public void Clear() => _slots.Clear();

    private long SlotBefore(DateTimeOffset moment) => moment.UtcTicks / _resolutionTicks;

    private long SlotAfter(DateTimeOffset moment) => (moment.UtcTicks + _resolutionTicks - 1) / _resolutionTicks;
}
