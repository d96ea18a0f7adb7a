using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Hosting;

/// <summary>How this silo joins its cluster; bound from <c>Fleet:Cluster</c>. The default is one silo on localhost.</summary>
public sealed class FleetClusterOptions
{
    public const string Section = "Fleet:Cluster";

    public string ClusterId { get; set; } = "fleetgrains";

    public string ServiceId { get; set; } = "fleetgrains";

    /// <summary>The port silos talk to each other on.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients connect to; 0 runs no gateway.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Whether this silo loads models and runs inference (silo metadata <c>fleet-models</c>); model hosts
    /// are placed only on such silos. The embedded single silo has every role.
    /// </summary>
    public bool HostsModels { get; set; } = true;
}

public sealed class FleetClusterOptionsValidator : IValidateOptions<FleetClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetClusterOptions o)
    {
        var failures = new List<string>();
        if (o.SiloPort is < 1 or > 65535)
        {
            failures.Add($"{FleetClusterOptions.Section}:SiloPort must be between 1 and 65535 (was {o.SiloPort}).");
        }

        if (o.GatewayPort is < 0 or > 65535)
        {
            failures.Add($"{FleetClusterOptions.Section}:GatewayPort must be between 0 and 65535 (was {o.GatewayPort}).");
        }

        if (string.IsNullOrWhiteSpace(o.ClusterId) || string.IsNullOrWhiteSpace(o.ServiceId))
        {
            failures.Add($"{FleetClusterOptions.Section}:ClusterId and ServiceId must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
