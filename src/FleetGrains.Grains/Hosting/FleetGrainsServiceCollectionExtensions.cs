using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Hosting;

public static class FleetGrainsServiceCollectionExtensions
{
    /// <summary>Options, their validators and the anomaly scorer the grains need.</summary>
    public static IServiceCollection AddFleetGrainServices(this IServiceCollection services)
    {
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.Section).ValidateOnStart();
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateOnStart();
        services.AddOptions<StatisticalScorerOptions>().BindConfiguration(StatisticalScorerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceOptions>, DeviceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollupOptions>, RollupOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticalScorerOptions>, StatisticalScorerOptionsValidator>());
        services.TryAddSingleton<IAnomalyScorer, StatisticalScorer>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
