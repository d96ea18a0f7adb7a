namespace FleetGrains.Silo.Api;

public static class FleetApi
{
    /// <summary>The ingestion and operator endpoints under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter<TransientRetryFilter>();
        api.MapTelemetryEndpoints();
        api.MapFleetEndpoints();
        api.MapDeviceEndpoints();
        api.MapModelEndpoints();
        api.MapMaintenanceEndpoints();
        api.MapSourceEndpoints();
        api.MapKeyEndpoints();
        return endpoints;
    }
}
