using FleetGrains.Inference.Onnx;
using FleetGrains.Inference.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Inference.Hosting;

public static class InferenceSiloBuilderExtensions
{
    /// <summary>
    /// Model serving on this silo, and its roles in the silo metadata every other silo sees:
    /// <c>fleet-models</c> (whether model hosts may be placed here) and <c>accelerator</c> (the configured provider).
    /// </summary>
    public static ISiloBuilder UseFleetInference(this ISiloBuilder silo, bool hostsModels, ExecutionProvider accelerator)
    {
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [SiloRoles.HostsModels] = hostsModels ? "true" : "false",
            [SiloRoles.Accelerator] = accelerator.ToString().ToLowerInvariant(),
        });
        silo.Services.AddFleetInference();
        return silo;
    }
}
