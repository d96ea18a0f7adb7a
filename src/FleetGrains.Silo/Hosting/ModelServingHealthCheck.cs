using FleetGrains.Inference.Onnx;
using FleetGrains.Inference.Placement;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Silo.Hosting;

/// <summary>
/// Whether models can be served: Degraded (still ready: ingestion and queries work) when no active silo
/// of the cluster hosts models, or when this model-hosting silo serves on CPU because its configured
/// execution provider could not be loaded; the description says which.
/// </summary>
public sealed class ModelServingHealthCheck(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails localSilo,
    SessionFactory sessions) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var modelSilos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && metadata.IsModelHost(m.SiloAddress))
            .Select(m => m.SiloAddress.ToString())
            .ToList();
        if (modelSilos.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded("No active silo hosts models (fleet-models=true): model scoring is unavailable."));
        }

        if (!metadata.IsModelHost(localSilo.SiloAddress))
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Models are served by {string.Join(", ", modelSilos)}."));
        }

        var provider = sessions.Status;
        return Task.FromResult(provider.FellBack
            ? HealthCheckResult.Degraded($"Serving models on {provider.Active} instead of {provider.Requested}: {provider.FallbackReason}")
            : HealthCheckResult.Healthy($"Serving models on {provider.Active}; model-hosting silos: {string.Join(", ", modelSilos)}."));
    }
}
