using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// The silo metadata keys (Orleans <c>UseSiloMetadata</c>) through which silos declare which sources they read, so
/// that partitions are shared out among the silos that read them (a model silo, which reads none, gets no share).
/// </summary>
public static class SourceRoles
{
    public const string RedisStreams = "fleet-reads-redis-streams";

    public const string Mqtt = "fleet-reads-mqtt";

    /// <summary>The metadata of a silo whose configuration is <paramref name="options"/>.</summary>
    public static Dictionary<string, string> Metadata(SourcesOptions options) => new()
    {
        [RedisStreams] = options.RedisStreams.Enabled ? "true" : "false",
        [Mqtt] = options.Mqtt.Enabled ? "true" : "false",
    };

    /// <summary>Whether <paramref name="silo"/> declared that it reads the source <paramref name="role"/>.</summary>
    public static bool Reads(this ISiloMetadataCache metadata, SiloAddress silo, string role) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(role, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
