using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    public static IServiceCollection AddFleetIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TelemetryValidator>();
        services.TryAddSingleton<IngestionMetrics>();
        services.TryAddSingleton<TelemetryPipeline>();
        return services;
    }
}
