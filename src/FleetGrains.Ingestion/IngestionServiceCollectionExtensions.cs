using FleetGrains.Ingestion.DeadLetters;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.Ingestion.Mqtt;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The pipeline, and the Redis Streams, MQTT, Kafka and Event Hubs sources (each runs only when enabled in <c>Fleet:Sources</c>).</summary>
    public static IServiceCollection AddFleetIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>());
        services.AddOptions<RedisSecurityOptions>().BindConfiguration(RedisSecurityOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSecurityOptions>, RedisSecurityOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TelemetryValidator>();
        services.TryAddSingleton<IngestionMetrics>();
        services.TryAddSingleton<IngestionAdmission>();
        services.TryAddSingleton<TelemetryPipeline>();

        services.TryAddSingleton<SourceRedis>();
        services.TryAddSingleton<SourceCounters>();
        services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<SourceRedis>().IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisDeadLetterStore>(sp)
            : ActivatorUtilities.CreateInstance<MemoryDeadLetterStore>(sp));
        services.TryAddSingleton<SourceBatchProcessor>();
        services.TryAddSingleton<SourceBatchRetries>();
        services.TryAddSingleton<RedisStreamInspector>();
        services.AddHostedService<RedisStreamSource>();
        services.AddHostedService<MqttSource>();
        services.TryAddSingleton<KafkaReadState>();
        services.AddHostedService<KafkaSource>();
        services.TryAddSingleton<EventHubsReadState>();
        services.AddHostedService<EventHubsSource>();
        services.AddHostedService<FleetIngestReporter>();
        return services;
    }
}
