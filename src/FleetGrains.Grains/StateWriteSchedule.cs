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
/// silo begins to stop nothing is sent or scheduled any more: its grains write their state as they deactivate, and a
/// call sent then would only try to activate a grain on a silo that no longer places any.
/// </remarks>
public sealed partial class StateWriteSchedule(IGrainFactory grains, GrainInterfaceTypeResolver interfaces, TimeProvider time, ILogger<StateWriteSchedule> logger)
    : IDisposable, ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    /// <summary>The slot <see cref="Schedule"/> answers once the schedule is disposed: the grain is not scheduled.</summary>
    public const long NotScheduled = long.MinValue;

    // A call not received this long after its slot was lost (a send that failed, an activation on its way elsewhere).
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(10);

    private readonly GrainInterfaceType _interface = interfaces.GetGrainInterfaceType(typeof(IWritesStateWhenDue));
    private readonly Lock _lock = new();
    private readonly TimeSlots<HashSet<GrainId>> _slots = new(Resolution);
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

            var (slot, due) = _slots.At(now + after, now);
            due.Add(grain);
            _timer ??= time.CreateTimer(_ => SendDue(), null, Resolution, Resolution);
            return slot;
        }
    }

    /// <summary>Whether the call for <paramref name="slot"/> is so long overdue that it was lost: the grain schedules its write again.</summary>
    public bool IsLost(long slot) => _slots.IsOverdue(slot, time.GetUtcNow(), LostAfter);

    /// <summary>Takes <paramref name="grain"/> off <paramref name="slot"/>, if it is still waiting there.</summary>
    public void Cancel(GrainId grain, long slot)
    {
        lock (_lock)
        {
            if (_slots.TryGet(slot, out var due) && due.Remove(grain) && due.Count == 0)
            {
                _slots.Remove(slot);
            }
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StateWriteSchedule), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            Dispose();
            return Task.CompletedTask;
        });

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
        List<HashSet<GrainId>> due;
        lock (_lock)
        {
            due = _disposed ? [] : _slots.TakeDue(time.GetUtcNow());
        }

        foreach (var grain in due.SelectMany(slot => slot))
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The due state write of {Grain} could not be sent; it is scheduled again at its next change, and written on deactivation in any case")]
    private static partial void LogNotSent(ILogger logger, Exception exception, GrainId grain);
}
