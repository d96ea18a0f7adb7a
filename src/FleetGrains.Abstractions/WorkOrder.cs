namespace FleetGrains.Abstractions;

[GenerateSerializer]
public enum WorkOrderStatus
{
    Open,
    Completed,
}

/// <summary>
/// Maintenance planned for one device because its predicted remaining useful life fell within the planning
/// horizon. <see cref="Priority"/> 1 is the most urgent; <see cref="ScheduledFor"/> is the day it fits the
/// fleet's daily capacity. RUL is in the RUL model's unit (cycles, seconds …), as <see cref="Model"/> defines.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkOrder(
    [property: Id(0)] string Id,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] WorkOrderStatus Status,
    [property: Id(3)] int Priority,
    [property: Id(4)] DateOnly ScheduledFor,
    [property: Id(5)] float PredictedRul,
    [property: Id(6)] HealthState Health,
    [property: Id(7)] string Model,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset UpdatedAt,
    [property: Id(10)] DateTimeOffset? CompletedAt);

/// <summary>A fleet's maintenance plan: open work orders by priority, and the most recently completed ones.</summary>
[GenerateSerializer, Immutable]
public sealed record MaintenancePlan(
    [property: Id(0)] string FleetId,
    [property: Id(1)] int DailyCapacity,
    [property: Id(2)] float PlanningHorizon,
    [property: Id(3)] IReadOnlyList<WorkOrder> Open,
    [property: Id(4)] IReadOnlyList<WorkOrder> RecentlyCompleted);

/// <summary>A device's newest remaining-useful-life estimate, sent to its fleet's plan while it is within the horizon.</summary>
[GenerateSerializer, Immutable]
public sealed record RulReport(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] float Rul,
    [property: Id(2)] HealthState Health,
    [property: Id(3)] string Model,
    [property: Id(4)] DateTimeOffset At);
