using System.Collections.Concurrent;
using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;

namespace FleetGrains.Grains.Fleets;

/// <summary>
/// When the status reports of this silo's devices go to their fleet shards: one timer for the silo, the waiting
/// reports in slots of <see cref="Resolution"/>, and at each tick one one-way call per shard carrying every report
/// due for it. A device report was a grain call of its own, and one waiting for its device's report interval a grain
/// timer of its own: at tens of thousands of devices a second, as many calls and timers as ingest calls (measured in the
/// `latency` run: reports off, the closed-loop maximum rose and the collections shortened).
/// </summary>
/// <remarks>
/// A device keeps at most one report waiting per slot: a newer status for the same slot replaces it, so the shard
/// gets the newest. A device that deactivates takes its waiting report and sends it itself (<see cref="Take"/>), so
/// that a silo shutting down loses none. When the silo begins to stop, every report still waiting goes at once, while
/// the shards are still placed, and nothing is scheduled or sent after that: a call sent later would only try to
/// activate a shard on a silo that no longer places any.
/// </remarks>
public sealed partial class StatusReportSchedule(
    IGrainFactory grains, TimeProvider time, IClusterMembershipService membership, ILogger<StatusReportSchedule> logger)
    : IDisposable, ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    /// <summary>The slot <see cref="Schedule"/> answers once the schedule is disposed: nothing waits.</summary>
    public const long NotScheduled = long.MinValue;

    private readonly Lock _lock = new();

    // A device asks for its shard's key at every report: one string per shard of each fleet, not one per device or report.
    private readonly ConcurrentDictionary<(string FleetId, int Shard), string> _shardKeys = new();

    // slot → shard key → device id → the newest status for that slot
    private readonly TimeSlots<Dictionary<string, Dictionary<string, DeviceStatus>>> _slots = new(Resolution);
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>The key of shard <paramref name="shard"/> of <paramref name="fleetId"/> (<see cref="FleetKeys.Shard"/>), made once.</summary>
    public string ShardKey(string fleetId, int shard) =>
        _shardKeys.GetOrAdd((fleetId, shard), static k => FleetKeys.Shard(k.FleetId, k.Shard));

    /// <summary>
    /// Sends <paramref name="status"/> to the shard <paramref name="shardKey"/> at the first tick at or after
    /// <paramref name="dueAt"/>; returns the slot, for <see cref="Take"/>.
    /// </summary>
    public long Schedule(string shardKey, DeviceStatus status, DateTimeOffset dueAt)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_disposed)
            {
                return NotScheduled;
            }

            var (slot, shards) = _slots.At(dueAt, now);
            if (!shards.TryGetValue(shardKey, out var devices))
            {
                shards[shardKey] = devices = new(StringComparer.Ordinal);
            }

            devices[status.DeviceId] = status;
            _timer ??= time.CreateTimer(_ => SendDue(), null, Resolution, Resolution);
            return slot;
        }
    }

    /// <summary>Takes the report of <paramref name="deviceId"/> still waiting in <paramref name="slot"/>; null when it was sent.</summary>
    public DeviceStatus? Take(long slot, string shardKey, string deviceId)
    {
        lock (_lock)
        {
            if (!_slots.TryGet(slot, out var shards)
                || !shards.TryGetValue(shardKey, out var devices)
                || !devices.Remove(deviceId, out var status))
            {
                return null;
            }

            if (devices.Count == 0)
            {
                shards.Remove(shardKey);
                if (shards.Count == 0)
                {
                    _slots.Remove(slot);
                }
            }

            return status;
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StatusReportSchedule), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            SendAllAndStop();
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
        List<Dictionary<string, Dictionary<string, DeviceStatus>>> due;
        lock (_lock)
        {
            due = _disposed ? [] : _slots.TakeDue(time.GetUtcNow());
        }

        Send(due);
    }

    private void SendAllAndStop()
    {
        List<Dictionary<string, Dictionary<string, DeviceStatus>>> waiting;
        lock (_lock)
        {
            waiting = _disposed ? [] : _slots.TakeAll();
            _disposed = true;
            _timer?.Dispose();
        }

        Send(waiting);
    }

    private void Send(List<Dictionary<string, Dictionary<string, DeviceStatus>>> due)
    {
        // No silo is active when the last one stops (this silo included): the shards stop with it.
        if (due.Count == 0 || !membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active))
        {
            return;
        }

        foreach (var (shardKey, statuses) in Merge(due))
        {
            try
            {
                grains.GetGrain<IFleetShardGrain>(shardKey).ReportAsync(statuses).Ignore();
            }
            catch (Exception ex)
            {
                // On the runtime's timer thread nothing may escape; the devices report again (heartbeat, next change).
                LogNotSent(logger, ex, statuses.Length, shardKey);
            }
        }
    }

    // Slots oldest first, so that a device's later status replaces its earlier one.
    private static Dictionary<string, DeviceStatus[]> Merge(List<Dictionary<string, Dictionary<string, DeviceStatus>>> slots)
    {
        var merged = new Dictionary<string, Dictionary<string, DeviceStatus>>(StringComparer.Ordinal);
        foreach (var shards in slots)
        {
            foreach (var (shardKey, devices) in shards)
            {
                if (!merged.TryGetValue(shardKey, out var into))
                {
                    merged[shardKey] = into = new(StringComparer.Ordinal);
                }

                foreach (var (deviceId, status) in devices)
                {
                    into[deviceId] = status;
                }
            }
        }

        return merged.ToDictionary(s => s.Key, s => s.Value.Values.ToArray(), StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} device status reports for shard {Shard} could not be sent; the devices report again at their next change or heartbeat")]
    private static partial void LogNotSent(ILogger logger, Exception exception, int count, string shard);
}
