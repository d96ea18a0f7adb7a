using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Maintenance;

/// <summary>
/// The rules of a fleet's maintenance plan, without I/O. One open work order per device at most; a newer
/// report updates it. Urgency is the predicted RUL weighted by health (Critical × 0.5, Warning × 0.75),
/// lowest first, then the oldest order; priority is the rank, and the orders fill the days from today at
/// the daily capacity. Reports older than a device's last completed order are ignored: they predate the repair.
/// </summary>
[GenerateSerializer]
public sealed class MaintenancePlanner
{
    [Id(0)] private readonly Dictionary<string, WorkOrder> _open = new(StringComparer.Ordinal);
    [Id(1)] private readonly List<WorkOrder> _completed = [];
    [Id(2)] private readonly Dictionary<string, DateTimeOffset> _lastCompletion = new(StringComparer.Ordinal);
    [Id(3)] private long _issued;

    /// <summary>Open orders by priority.</summary>
    public IReadOnlyList<WorkOrder> Open => [.. _open.Values.OrderBy(o => o.Priority)];

    public bool HasOpenOrder(string deviceId) => _open.ContainsKey(deviceId);

    public WorkOrder? OpenOrderOf(string deviceId) => _open.GetValueOrDefault(deviceId);

    /// <summary>Completed orders, newest first.</summary>
    public IReadOnlyList<WorkOrder> Completed => [.. Enumerable.Reverse(_completed)];

    /// <summary>Applies a report; returns whether the plan changed.</summary>
    public bool Report(string fleetId, RulReport report, float horizon, int dailyCapacity)
    {
        if (_lastCompletion.TryGetValue(report.DeviceId, out var repaired) && report.At <= repaired)
        {
            return false;
        }

        if (_open.TryGetValue(report.DeviceId, out var order))
        {
            _open[report.DeviceId] = order with { PredictedRul = report.Rul, Health = report.Health, Model = report.Model, UpdatedAt = report.At };
        }
        else if (report.Rul <= horizon)
        {
            var id = $"{fleetId}-wo-{++_issued}";
            _open[report.DeviceId] = new WorkOrder(
                id, report.DeviceId, WorkOrderStatus.Open, 0, DateOnly.FromDateTime(report.At.UtcDateTime), report.Rul, report.Health, report.Model, report.At, report.At, null);
        }
        else
        {
            return false;
        }

        Replan(dailyCapacity, report.At);
        return true;
    }

    /// <summary>The completed order, or null when there is no such order.</summary>
    public WorkOrder? Complete(string workOrderId, DateTimeOffset now, int dailyCapacity, int keepCompleted)
    {
        if (_open.Values.FirstOrDefault(o => o.Id == workOrderId) is not { } order)
        {
            return _completed.FirstOrDefault(o => o.Id == workOrderId);
        }

        _open.Remove(order.DeviceId);
        var done = order with { Status = WorkOrderStatus.Completed, CompletedAt = now, UpdatedAt = now };
        _completed.Add(done);
        if (_completed.Count > keepCompleted)
        {
            _completed.RemoveRange(0, _completed.Count - keepCompleted);
        }

        _lastCompletion[order.DeviceId] = now;
        Replan(dailyCapacity, now);
        return done;
    }

    /// <summary>Ranks the open orders by urgency and gives each its day.</summary>
    public void Replan(int dailyCapacity, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var ranked = _open.Values
            .OrderBy(o => Urgency(o))
            .ThenBy(o => o.CreatedAt)
            .ThenBy(o => o.Id, StringComparer.Ordinal)
            .ToList();
        for (var rank = 0; rank < ranked.Count; rank++)
        {
            var order = ranked[rank];
            _open[order.DeviceId] = order with { Priority = rank + 1, ScheduledFor = today.AddDays(rank / dailyCapacity) };
        }
    }

    private static double Urgency(WorkOrder order) => order.PredictedRul * order.Health switch
    {
        HealthState.Critical => 0.5,
        HealthState.Warning => 0.75,
        _ => 1.0,
    };
}
