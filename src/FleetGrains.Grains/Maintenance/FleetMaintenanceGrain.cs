using FleetGrains.Abstractions;
using FleetGrains.Grains.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Maintenance;

/// <summary>
/// The maintenance plan of one fleet. Devices within the planning horizon report their RUL estimates; the
/// plan is re-planned on each report and written on the silo's write schedule (reports are frequent and can be repeated),
/// while a completion is written before it is answered (it is an operator's action) and resets the
/// device's degradation tracking.
/// </summary>
public sealed partial class FleetMaintenanceGrain(
    [PersistentState("maintenance", FleetStorage.Name)] IPersistentState<FleetMaintenanceState> state,
    IOptions<MaintenanceOptions> options,
    TimeProvider time,
    StateWriteSchedule writes,
    ILogger<FleetMaintenanceGrain> logger) : Grain, IFleetMaintenanceGrain, IWritesStateWhenDue
{
    private DelayedStateWriter? _writer;

    private string FleetId => this.GetPrimaryKeyString();

    private MaintenancePlanner Planner => state.State.Planner;

    private DelayedStateWriter Writer => _writer ??= new DelayedStateWriter(
        this, state, options.Value.PersistInterval, writes, logger);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Writer.SaveAndCloseAsync();

    public Task WriteDueStateAsync() => Writer.WriteDueAsync();

    public Task ReportAsync(RulReport report)
    {
        var o = options.Value;
        var opened = !Planner.HasOpenOrder(report.DeviceId);
        if (Planner.Report(FleetId, report, o.PlanningHorizonFor(FleetId), o.DailyCapacityFor(FleetId)))
        {
            if (opened && Planner.OpenOrderOf(report.DeviceId) is { } order)
            {
                LogOpened(logger, FleetId, report.DeviceId, report.Rul, report.Health);
                GrainFactory.GetGrain<IFleetWebhooksGrain>(FleetId).NotifyAsync(WebhookNotifications.WorkOrderCreated(FleetId, order, time.GetUtcNow())).Ignore();
            }

            Writer.MarkDirty();
        }

        return Task.CompletedTask;
    }

    public Task<MaintenancePlan> GetPlanAsync()
    {
        var o = options.Value;
        Planner.Replan(o.DailyCapacityFor(FleetId), time.GetUtcNow()); // the days move on even without reports
        return Task.FromResult(new MaintenancePlan(FleetId, o.DailyCapacityFor(FleetId), o.PlanningHorizonFor(FleetId), Planner.Open, Planner.Completed));
    }

    public async Task<WorkOrder?> CompleteAsync(string workOrderId)
    {
        var o = options.Value;
        var wasOpen = Planner.Open.Any(w => w.Id == workOrderId);
        var done = Planner.Complete(workOrderId, time.GetUtcNow(), o.DailyCapacityFor(FleetId), o.KeepCompleted);
        if (done is null || !wasOpen)
        {
            return done;
        }

        Writer.MarkDirty();
        if (!await Writer.SaveAsync())
        {
            throw new InvalidOperationException($"Work order {workOrderId} may not be recorded as completed: writing the plan failed (the silo's log says why). Read the plan before completing it again.");
        }

        await GrainFactory.GetGrain<IDeviceGrain>(FleetKeys.Device(FleetId, done.DeviceId)).ResetDegradationAsync();
        LogCompleted(logger, FleetId, done.Id, done.DeviceId);
        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Work order opened in fleet {FleetId} for {DeviceId}: predicted RUL {Rul}, health {Health}")]
    private static partial void LogOpened(ILogger logger, string fleetId, string deviceId, float rul, HealthState health);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work order {WorkOrderId} of fleet {FleetId} completed for {DeviceId}")]
    private static partial void LogCompleted(ILogger logger, string fleetId, string workOrderId, string deviceId);
}
