using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.Inference.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace FleetGrains.Inference.Hosting;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>Model serving on this silo: options, sessions, metrics, the silo's batcher and the model-host placement filter.</summary>
    public static IServiceCollection AddFleetInference(this IServiceCollection services)
    {
        services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<InferenceMetrics>();
        services.TryAddSingleton<SessionFactory>();
        services.TryAddSingleton<ModelFiles>();
        services.Replace(ServiceDescriptor.Singleton<IScoringBatcher, SiloScoringBatcher>()); // in place of the grains' "no model serving here"
        services.TryAddSingleton(TimeProvider.System);
        services.AddPlacementFilter<ModelHostPlacementFilterStrategy, ModelHostPlacementFilterDirector>(ServiceLifetime.Singleton);
        return services;
    }
}
