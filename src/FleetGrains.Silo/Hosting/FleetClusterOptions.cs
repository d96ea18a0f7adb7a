using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FleetGrains.Silo.Hosting;

/// <summary>How silos find each other: one silo on localhost, or any number sharing a Redis membership table.</summary>
public enum ClusteringProvider
{
    Localhost,
    Redis,
}

/// <summary>Where grain state or reminders are kept.</summary>
public enum StoreProvider
{
    Memory,
    Redis,
}

/// <summary>
/// How this silo joins its cluster and where the cluster keeps its state; bound from <c>Fleet:Cluster</c>
/// (environment: <c>Fleet__Cluster__…</c>). The default is one silo on localhost with everything in memory.
/// </summary>
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

    public ClusteringProvider Clustering { get; set; } = ClusteringProvider.Localhost;

    /// <summary>Where grain state is written. With <see cref="StoreProvider.Redis"/> it survives a restart of the whole cluster.</summary>
    public StoreProvider Storage { get; set; } = StoreProvider.Memory;

    public StoreProvider Reminders { get; set; } = StoreProvider.Memory;

    /// <summary>The StackExchange.Redis connection string (e.g. <c>redis:6379</c>) for whatever is kept in Redis.</summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The IP address other silos reach this one at (Redis clustering). Unset: the machine's first
    /// non-loopback address; set 127.0.0.1 to run several silos on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How long a stopping silo may take to stop (the host's ShutdownTimeout): its sources hand their partitions
    /// over and its grains deactivate, writing their state. In Kubernetes the pod's grace period must be longer.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This silo's name in the membership table and logs (in Kubernetes: the pod's name). Unset: Orleans chooses one.</summary>
    public string? SiloName { get; set; }

    /// <summary>
    /// Whether grain activations move from busier silos to emptier ones (Orleans' activation rebalancer), with Redis
    /// clustering. Without it a grain stays where it was first activated, so a silo added by autoscaling takes only
    /// new activations and its share of partitions to read, while the devices' own work stays on the old silos.
    /// </summary>
    public bool RebalanceActivations { get; set; } = true;

    /// <summary>The time between two rebalancing cycles; each moves part of the imbalance between pairs of silos.</summary>
    public TimeSpan RebalanceCyclePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many grain addresses this silo keeps in Orleans' directory cache (0: none). Unset: none with Localhost
    /// clustering, where the one silo owns the whole directory, so a lookup reads its own directory partition and a
    /// cache would be a second entry (~270 B) for every activation; Orleans' 1,000,000 with Redis clustering, where a
    /// miss is a call to the silo owning that part of the directory. Each silo caches the grains it calls, so with
    /// millions of devices this bounds what every silo spends on their addresses.
    /// </summary>
    public int? DirectoryCacheSize { get; set; }

    /// <summary>The directory cache size in force: <see cref="DirectoryCacheSize"/>, or the default for the clustering.</summary>
    public int EffectiveDirectoryCacheSize =>
        DirectoryCacheSize ?? (Clustering == ClusteringProvider.Localhost ? 0 : GrainDirectoryOptions.DEFAULT_CACHE_SIZE);

    /// <summary>Mutual TLS between silos and on the gateway (see <see cref="ClusterTlsOptions"/>); off unless its files are set.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    public bool UsesRedis => Clustering == ClusteringProvider.Redis || Storage == StoreProvider.Redis || Reminders == StoreProvider.Redis;
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

        failures.AddRange(o.Tls.Problems().Select(p => $"{FleetClusterOptions.Section}:Tls:{p}"));
        if (o.UsesRedis && string.IsNullOrWhiteSpace(o.Redis))
        {
            failures.Add($"{FleetClusterOptions.Section}:Redis (a connection string such as 127.0.0.1:6379) is required when Clustering, Storage or Reminders is Redis.");
        }

        if (o.ShutdownTimeout < TimeSpan.FromSeconds(1) || o.ShutdownTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{FleetClusterOptions.Section}:ShutdownTimeout must be between 1 second and 1 hour (was {o.ShutdownTimeout}).");
        }

        if (o.RebalanceCyclePeriod < TimeSpan.FromSeconds(2) || o.RebalanceCyclePeriod > TimeSpan.FromHours(1))
        {
            // Orleans requires at least twice its load statistics' refresh time (1 s).
            failures.Add($"{FleetClusterOptions.Section}:RebalanceCyclePeriod must be between 2 seconds and 1 hour (was {o.RebalanceCyclePeriod}).");
        }

        if (o.DirectoryCacheSize is < 0)
        {
            failures.Add($"{FleetClusterOptions.Section}:DirectoryCacheSize must be 0 (no cache) or more (was {o.DirectoryCacheSize}).");
        }

        if (o.AdvertisedAddress is { } address && !IPAddress.TryParse(address, out _))
        {
            failures.Add($"{FleetClusterOptions.Section}:AdvertisedAddress must be an IP address (was '{address}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
