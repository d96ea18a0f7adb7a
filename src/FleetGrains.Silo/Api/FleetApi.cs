using FleetGrains.Silo.Security;

namespace FleetGrains.Silo.Api;

public static class FleetApi
{
    /// <summary>The ingestion and operator endpoints under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder endpoints)
    {
        // Telemetry and the rest have their own rate limits per credential.
        var ingestion = endpoints.MapGroup("/api").RequireRateLimiting(RateLimits.IngestPolicy);
        ingestion.AddEndpointFilter<TransientRetryFilter>();
        ingestion.MapTelemetryEndpoints();
        var api = endpoints.MapGroup("/api").RequireRateLimiting(RateLimits.ApiPolicy);
        api.AddEndpointFilter<TransientRetryFilter>();
        api.MapCallerEndpoints();
        api.MapFleetEndpoints();
        api.MapAlarmEndpoints();
        api.MapDeviceEndpoints();
        api.MapModelEndpoints();
        api.MapMaintenanceEndpoints();
        api.MapSourceEndpoints();
        api.MapClusterEndpoints();
        api.MapWebhookEndpoints();
        api.MapKeyEndpoints();
        api.MapAuditEndpoints();
        return endpoints;
    }
}
