using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit log: in the sources' Redis when there is one (shared by every silo), in memory otherwise.</summary>
    public static IServiceCollection AddFleetAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<SourceRedis>().IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisAuditLog>(sp)
            : ActivatorUtilities.CreateInstance<MemoryAuditLog>(sp));
        services.AddSingleton<AuditTrail>();
        return services;
    }
}
