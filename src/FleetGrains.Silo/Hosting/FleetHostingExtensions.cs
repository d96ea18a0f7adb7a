using System.Net;
using System.Text.Json.Serialization;
using FleetGrains.Grains;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Hosting;
using FleetGrains.Inference.Hosting;
using FleetGrains.Inference.Onnx;
using FleetGrains.Ingestion;
using FleetGrains.Ingestion.Sources;
using FleetGrains.Silo.Api;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using FleetGrains.Silo.Simulation;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

using FleetGrains.Silo.Dashboard;

namespace FleetGrains.Silo.Hosting;

public static class FleetHostingExtensions
{
    /// <summary>Answers 200 while the process serves HTTP, whatever Redis and grains do (liveness, startup).</summary>
    public const string LivePath = "/health/live";

    /// <summary>Answers 200 while this silo is an active cluster member, 503 otherwise (readiness).</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>The Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    private const string OrleansMeterName = "Microsoft.Orleans";
    private const string WriteBeforeAcknowledgeKey = $"{DeviceOptions.Section}:{nameof(DeviceOptions.WriteBeforeAcknowledge)}";

    /// <summary>Everything a FleetGrains silo host needs: the Orleans silo, ingestion, the API's services and the simulator.</summary>
    public static IHostApplicationBuilder AddFleetGrains(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(FleetClusterOptions.Section).Get<FleetClusterOptions>() ?? new FleetClusterOptions();
        var clusterErrors = new FleetClusterOptionsValidator().Validate(null, cluster);
        if (clusterErrors.Failed)
        {
            throw new OptionsValidationException(FleetClusterOptions.Section, typeof(FleetClusterOptions), clusterErrors.Failures);
        }

        var redis = builder.Configuration.GetSection(RedisSecurityOptions.Section).Get<RedisSecurityOptions>() ?? new RedisSecurityOptions();
        var redisErrors = new RedisSecurityOptionsValidator().Validate(null, redis);
        if (redisErrors.Failed)
        {
            throw new OptionsValidationException(RedisSecurityOptions.Section, typeof(RedisSecurityOptions), redisErrors.Failures);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.ShutdownTimeout);
        var accelerator = builder.Configuration.GetValue($"{InferenceOptions.Section}:{nameof(InferenceOptions.ExecutionProvider)}", ExecutionProvider.Cpu);
        var sources = builder.Configuration.GetSection(SourcesOptions.Section).Get<SourcesOptions>() ?? new SourcesOptions();
        builder.UseOrleans(silo => silo.UseFleetSilo(cluster, redis).UseFleetInference(cluster.HostsModels, accelerator).UseSiloMetadata(SourceRoles.Metadata(sources)));
        builder.Services.AddFleetGrainServices();
        builder.AddFleetSecurity(embedded: cluster.Clustering == ClusteringProvider.Localhost);
        builder.Services.AddFleetAudit();
        if (cluster.Storage == StoreProvider.Redis && builder.Configuration[WriteBeforeAcknowledgeKey] is null)
        {
            // Durable storage is chosen to keep what was acknowledged: devices write before they answer.
            builder.Services.PostConfigure<DeviceOptions>(o => o.WriteBeforeAcknowledge = true);
        }

        builder.Services.AddFleetIngestion();
        builder.Services.PostConfigure<SourcesOptions>(o => o.Redis ??= cluster.Redis);
        builder.Services.AddFleetSimulator();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        // Bad query values and bodies throw in every environment (not only Development), so that
        // ApiExceptionHandler answers them alike: 400 with what could not be read.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(IngestionMetrics.MeterName, OrleansMeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)); // every scrape sees the current values
        builder.Services.AddHealthChecks()
            .AddCheck<SiloReadyHealthCheck>("silo", tags: ["ready"])
            .AddCheck<ModelServingHealthCheck>("models", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Clustering, grain storage and reminders as <paramref name="cluster"/> says: by default one silo on
    /// localhost with everything in memory (the embedded default); or any number of silos sharing Redis.
    /// </summary>
    public static ISiloBuilder UseFleetSilo(this ISiloBuilder silo, FleetClusterOptions cluster, RedisSecurityOptions redis)
    {
        if (cluster.SiloName is { } siloName)
        {
            silo.Configure<SiloOptions>(o => o.SiloName = siloName);
        }

        if (cluster.Tls.Enabled)
        {
            silo.UseClusterTls(cluster.Tls);
        }

        silo.Configure<GrainDirectoryOptions>(o => ConfigureDirectoryCache(o, cluster.EffectiveDirectoryCacheSize));
        if (cluster.Clustering == ClusteringProvider.Localhost)
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }
        else
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = cluster.SiloPort;
                o.GatewayPort = cluster.GatewayPort;
                if (cluster.AdvertisedAddress is { } address)
                {
                    o.AdvertisedIPAddress = IPAddress.Parse(address);
                }
            });
            silo.UseRedisClustering(o =>
            {
                o.ConfigurationOptions = redis.For(cluster.Redis!);
                // A silo cannot start without its membership table: its first connection fails the start at once, with
                // the connection's own reason (AuthenticationFailure, UnableToConnect), instead of a command timing out
                // in the client's backlog before that reason is known. Once connected, a Redis restart is reconnected.
                o.ConfigurationOptions.AbortOnConnectFail = true;
            });
            if (cluster.RebalanceActivations)
            {
                UseActivationRebalancing(silo, cluster.RebalanceCyclePeriod);
            }
        }

        if (cluster.Storage == StoreProvider.Redis)
        {
            // Orleans' own binary serializer: grain state types are [GenerateSerializer] with private fields,
            // which a JSON serializer would not see.
            silo.AddRedisGrainStorage(FleetStorage.Name, options => options.Configure<Serializer>((o, serializer) =>
            {
                o.ConfigurationOptions = redis.For(cluster.Redis!);
                o.GrainStorageSerializer = new StateSerializer(serializer);
            }));
        }
        else if (cluster.Clustering == ClusteringProvider.Localhost)
        {
            silo.Services.AddGrainStorage(FleetStorage.Name, (services, _) => new ProcessMemoryGrainStorage(services.GetRequiredService<StateSerializer>()));
        }
        else
        {
            silo.AddMemoryGrainStorage(FleetStorage.Name); // shared by the silos through storage grains
        }

        if (cluster.Reminders == StoreProvider.Redis)
        {
            silo.UseRedisReminderService(o => o.ConfigurationOptions = redis.For(cluster.Redis!));
        }
        else
        {
            silo.UseInMemoryReminderService();
        }

        return silo;
    }

    // No cache is Orleans' caching strategy None: a cache size of 0 is refused where Orleans sizes its cache.
    private static void ConfigureDirectoryCache(GrainDirectoryOptions options, int size)
    {
        if (size == 0)
        {
            options.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None;
        }
        else
        {
            options.CacheSize = size;
        }
    }

    // Orleans marks the rebalancer experimental (its API may change); its behaviour is what scale-out needs. A new
    // silo is noticed within a cycle, and with the cycle weight at 1 (Orleans' default: 0.1) a cycle moves most of a
    // pair's imbalance at once instead of a tenth of it, so new silos carry their share within a few cycles.
    private static void UseActivationRebalancing(ISiloBuilder silo, TimeSpan cyclePeriod)
    {
#pragma warning disable ORLEANSEXP002
        silo.AddActivationRebalancer();
#pragma warning restore ORLEANSEXP002
        silo.Configure<ActivationRebalancerOptions>(o =>
        {
            o.RebalancerDueTime = cyclePeriod;
            o.SessionCyclePeriod = cyclePeriod;
            o.CycleNumberWeight = 1;
        });
    }

    /// <summary>Error handling as problem+json, health endpoints, the OpenAPI document and the Prometheus scrape endpoint <c>/metrics</c>.</summary>
    public static WebApplication UseFleetPipeline(this WebApplication app)
    {
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts(); // only on HTTPS answers, never to localhost
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseAuthentication();
        app.UseRateLimiter(); // after authentication: limits are per credential
        app.UseAuthorization();

        // Open to anyone who can reach the port: the kubelet's probes and Prometheus carry no credential, and
        // none of these says anything about a fleet (the chart's NetworkPolicy limits who reaches them).
        app.MapOpenApi().AllowAnonymous();
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteAsync,
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        }).AllowAnonymous();
        return app;
    }
}
