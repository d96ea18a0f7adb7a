using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

/// <summary>
/// Bounds the telemetry events this silo has in flight (decoded and sent to their device grains, not yet answered),
/// so that an overloaded silo refuses or delays work instead of queueing it for seconds in front of its grains — and
/// of the operators' queries, which never wait here. HTTP asks and is answered at once (<see cref="TryEnter"/>: 503
/// when the bound is reached); sources wait (<see cref="EnterAsync"/>), which pauses their reading. A batch larger
/// than the whole bound is let in alone, when nothing else is in flight, so that no batch waits forever.
/// </summary>
public sealed class IngestionAdmission
{
    private readonly long _maxInFlight;
    private long _inFlight;
    private TaskCompletionSource _released = NewSignal();

    public IngestionAdmission(IOptions<IngestionOptions> options, IngestionMetrics metrics)
    {
        _maxInFlight = options.Value.MaxEventsInFlight;
        metrics.ObserveInFlight(() => Volatile.Read(ref _inFlight));
    }

    public long InFlight => Volatile.Read(ref _inFlight);

    public long MaxInFlight => _maxInFlight;

    /// <summary>Takes room for <paramref name="events"/> if there is some; false at once otherwise.</summary>
    public bool TryEnter(int events)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current > 0 && current + events > _maxInFlight)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + events, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Waits until there is room for <paramref name="events"/>, then takes it.</summary>
    public async Task EnterAsync(int events, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var released = Volatile.Read(ref _released);
            if (TryEnter(events))
            {
                return;
            }

            await released.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gives back the room <paramref name="events"/> took, and wakes whoever waits for it.</summary>
    public void Exit(int events)
    {
        Interlocked.Add(ref _inFlight, -events);
        Interlocked.Exchange(ref _released, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
