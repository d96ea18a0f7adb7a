using FleetGrains.Abstractions;
using FleetGrains.Grains.Anomalies;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Maintenance;
using FleetGrains.Grains.Models;
using FleetGrains.Grains.Scoring;
using FleetGrains.Grains.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace FleetGrains.Grains.Hosting;

public static class FleetGrainsServiceCollectionExtensions
{
    /// <summary>Options, their validators, the anomaly scorer and the model-assignment cache the grains need.</summary>
    public static IServiceCollection AddFleetGrainServices(this IServiceCollection services)
    {
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.Section).ValidateOnStart();
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateOnStart();
        services.AddOptions<StatisticalScorerOptions>().BindConfiguration(StatisticalScorerOptions.Section).ValidateOnStart();
        services.AddOptions<ModelRegistryOptions>().BindConfiguration(ModelRegistryOptions.Section).ValidateOnStart();
        services.AddOptions<AnomalyLogOptions>().BindConfiguration(AnomalyLogOptions.Section).ValidateOnStart();
        services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section).ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceOptions>, DeviceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollupOptions>, RollupOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticalScorerOptions>, StatisticalScorerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelRegistryOptions>, ModelRegistryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyLogOptions>, AnomalyLogOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.TryAddSingleton<IAnomalyScorer, StatisticalScorer>();
        services.TryAddSingleton<FleetModelCache>();
        services.TryAddSingleton<IScoringBatcher, NoModelServing>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StateWriteSchedule>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StateWriteSchedule>());
        services.TryAddSingleton<StatusReportSchedule>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StatusReportSchedule>());
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<DeviceGrainServices>();

        // Grain state is written with the Orleans binary serializer: the [Id]-numbered fields are the
        // stored contract (compact, tolerant of added fields), not whatever a JSON serializer sees.
        services.TryAddSingleton<StateSerializer>();
        services.AddSingleton<IGrainStorageSerializer>(sp => sp.GetRequiredService<StateSerializer>());
        return services;
    }
}
