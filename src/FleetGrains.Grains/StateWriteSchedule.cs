using Microsoft.Extensions.Logging;
using Orleans.Metadata;

namespace FleetGrains.Grains;

/// <summary>
/// When the grains of this silo that hold unsaved changes are due to write them: one timer for the silo, the due
/// grains in slots of <see cref="Resolution"/>, each told by a one-way call (<see cref="IWritesStateWhenDue"/>),
/// which runs like any call of the grain (never interleaved with another). A grain timer per device held ~760
/// bytes per device (measured in a heap dump of the density scenario: the timer, its runtime timer, the
/// activation's timer set and the delegates) for as long as the device kept changing; here a device waiting for its
/// write is one entry of a slot's set.
/// </summary>
/// <remarks>
/// A grain that deactivates takes itself off the schedule (<see cref="Cancel"/>). A call already sent when it
/// does reaches the next activation, which finds nothing to write; a rare race, costing one activation. Once the
/// silo's services are disposed nothing is scheduled any more (the grains have written their state on deactivation).
/// </remarks>
public sealed partial class StateWriteSchedule(IGrainFactory grains, GrainInterfaceTypeResolver interfaces, TimeProvider time, ILogger<StateWriteSchedule> logger) : IDisposable
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    /// <summary>The slot <see cref="Schedule"/> answers once the schedule is disposed: the grain is not scheduled.</summary>
    public const long NotScheduled = long.MinValue;

    // A call not received this long after its slot was lost (a send that failed, an activation on its way elsewhere).
    private static readonly long LostAfterSlots = TimeSpan.FromSeconds(10).Ticks / Resolution.Ticks;

    private readonly GrainInterfaceType _interface = interfaces.GetGrainInterfaceType(typeof(IWritesStateWhenDue));
    private readonly Lock _lock = new();
    private readonly Dictionary<long, HashSet<GrainId>> _slots = [];
    private long _nextSlot = long.MinValue;
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Schedules <paramref name="grain"/>'s write no earlier than <paramref name="after"/> from now; returns the slot, for <see cref="Cancel"/>.</summary>
    public long Schedule(GrainId grain, TimeSpan after)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_disposed)
            {
                return NotScheduled;
            }

            if (_nextSlot == long.MinValue)
            {
                _nextSlot = SlotBefore(now) + 1;
            }

            var slot = Math.Max(SlotAfter(now + after), _nextSlot);
            if (!_slots.TryGetValue(slot, out var due))
            {
                _slots[slot] = due = [];
            }

            due.Add(grain);
            _timer ??= time.CreateTimer(_ => SendDue(), null, Resolution, Resolution);
            return slot;
        }
    }

    /// <summary>Whether the call for <paramref name="slot"/> is so long overdue that it was lost: the grain schedules its write again.</summary>
    public bool IsLost(long slot) => slot < SlotBefore(time.GetUtcNow()) - LostAfterSlots;

    /// <summary>Takes <paramref name="grain"/> off <paramref name="slot"/>, if it is still waiting there.</summary>
    public void Cancel(GrainId grain, long slot)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(slot, out var due) && due.Remove(grain) && due.Count == 0)
            {
                _slots.Remove(slot);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _slots.Clear();
        }
    }

    private void SendDue()
    {
        foreach (var grain in TakeDue())
        {
            try
            {
                ((IWritesStateWhenDue)grains.GetGrain(grain, _interface)).WriteDueStateAsync().Ignore();
            }
            catch (Exception ex)
            {
                // On the runtime's timer thread nothing may escape; the grain still writes when it deactivates.
                LogNotSent(logger, ex, grain);
            }
        }
    }

    private List<GrainId> TakeDue()
    {
        var taken = new List<GrainId>();
        lock (_lock)
        {
            var last = SlotBefore(time.GetUtcNow());
            if (_disposed || last < _nextSlot)
            {
                return taken;
            }

            // After a long pause of the clock, walking the slots that are there beats walking every slot of the pause.
            IEnumerable<long> candidates = last - _nextSlot < _slots.Count
                ? Enumerable.Range(0, (int)(last - _nextSlot + 1)).Select(i => _nextSlot + i)
                : [.. _slots.Keys.Where(s => s <= last)];
            foreach (var slot in candidates)
            {
                if (_slots.Remove(slot, out var due))
                {
                    taken.AddRange(due);
                }
            }

            _nextSlot = last + 1;
        }

        return taken;
    }

    private static long SlotBefore(DateTimeOffset moment) => moment.UtcTicks / Resolution.Ticks;

    private static long SlotAfter(DateTimeOffset moment) => (moment.UtcTicks + Resolution.Ticks - 1) / Resolution.Ticks;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The due state write of {Grain} could not be sent; it is scheduled again at its next change, and written on deactivation in any case")]
    private static partial void LogNotSent(ILogger logger, Exception exception, GrainId grain);
}
