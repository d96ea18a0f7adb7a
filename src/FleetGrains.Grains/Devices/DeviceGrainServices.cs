using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Maintenance;
using FleetGrains.Grains.Models;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// What every device grain of a silo uses, in one shared object: a grain holds one reference to it instead of a
/// dozen of its own (~90 bytes a device; a silo holds a million of them).
/// </summary>
public sealed class DeviceGrainServices(
    [FromKeyedServices(FleetStorage.Name)] IGrainStorage storage,
    IAnomalyScorer scorer,
    FleetModelCache models,
    IScoringBatcher batcher,
    IOptions<DeviceOptions> deviceOptions,
    IOptions<RollupOptions> rollupOptions,
    IOptions<MaintenanceOptions> maintenanceOptions,
    TimeProvider time,
    IClusterMembershipService membership,
    StateWriteSchedule writes,
    StatusReportSchedule reports,
    ILogger<DeviceGrain> logger)
{
    public IGrainStorage Storage { get; } = storage;

    /// <summary>The statistical scorer, for devices whose fleet has no anomaly model.</summary>
    public IAnomalyScorer Scorer { get; } = scorer;

    public FleetModelCache Models { get; } = models;

    public IScoringBatcher Batcher { get; } = batcher;

    public DeviceOptions Options { get; } = deviceOptions.Value;

    public RollupOptions Rollup { get; } = rollupOptions.Value;

    public MaintenanceOptions Maintenance { get; } = maintenanceOptions.Value;

    public TimeProvider Time { get; } = time;

    public IClusterMembershipService Membership { get; } = membership;

    public StateWriteSchedule Writes { get; } = writes;

    public StatusReportSchedule Reports { get; } = reports;

    public ILogger<DeviceGrain> Logger { get; } = logger;
}
