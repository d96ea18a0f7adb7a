using System.Text.Json.Serialization;
using FleetGrains.Grains;
using FleetGrains.Grains.Hosting;
using FleetGrains.Inference.Hosting;
using FleetGrains.Inference.Onnx;
using FleetGrains.Ingestion;
using FleetGrains.Silo.Simulation;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Hosting;

public static class FleetHostingExtensions
{
    /// <summary>Everything a FleetGrains silo host needs: the Orleans silo, ingestion, the API's services and the simulator.</summary>
    public static IHostApplicationBuilder AddFleetGrains(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(FleetClusterOptions.Section).Get<FleetClusterOptions>() ?? new FleetClusterOptions();
        var clusterErrors = new FleetClusterOptionsValidator().Validate(null, cluster);
        if (clusterErrors.Failed)
        {
            throw new OptionsValidationException(FleetClusterOptions.Section, typeof(FleetClusterOptions), clusterErrors.Failures);
        }

        var accelerator = builder.Configuration.GetValue($"{InferenceOptions.Section}:{nameof(InferenceOptions.ExecutionProvider)}", ExecutionProvider.Cpu);
        builder.UseOrleans(silo => silo.UseFleetSilo(cluster).UseFleetInference(cluster.HostsModels, accelerator));
        builder.Services.AddFleetGrainServices();
        builder.Services.AddFleetIngestion();
        builder.Services.AddFleetSimulator();

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddHealthChecks()
            .AddCheck<SiloReadyHealthCheck>("silo", tags: ["ready"])
            .AddCheck<ModelServingHealthCheck>("models", tags: ["ready"]);
        return builder;
    }

    /// <summary>One silo with localhost clustering and in-memory storage: the embedded default.</summary>
    public static ISiloBuilder UseFleetSilo(this ISiloBuilder silo, FleetClusterOptions cluster)
    {
        silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        silo.AddMemoryGrainStorage(FleetStorage.Name);
        return silo;
    }

    /// <summary>Error handling as problem+json, health endpoints and the OpenAPI document.</summary>
    public static WebApplication UseFleetPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteAsync,
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        });
        return app;
    }
}
