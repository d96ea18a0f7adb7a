using System.Security.Cryptography;
using System.Text;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Ingestion.Mqtt;

/// <summary>
/// Telemetry from an MQTT broker (topic <see cref="MqttTopic.Filter"/>, QoS 1), read in one of two ways:
/// <list type="bullet">
/// <item><see cref="MqttSubscriptionMode.Partitioned"/> (default): each partition (a topic filter of
/// <see cref="MqttSourceOptions.Partitions"/>) is a persistent session of its own client id, read by one silo at
/// a time under a lease, as Redis Streams partitions are; so a device's messages reach one reader, in order.
/// A partition's session outlives its readers: what arrives while it moves, or after its reader died, waits in
/// the broker for the next.</item>
/// <item><see cref="MqttSubscriptionMode.Shared"/>: every silo joins the shared subscription
/// <c>$share/{ShareGroup}/…</c> and the broker splits the messages; a device's messages keep their order only
/// where the broker sends a topic's messages to one member (e.g. EMQX's hash_topic strategy).</item>
/// </list>
/// </summary>
public sealed partial class MqttSource(
    IOptions<SourcesOptions> options,
    SourceRedis redis,
    SourceBatchProcessor processor,
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails silo,
    ILogger<MqttSource> logger) : BackgroundService
{
    public const string SourceName = "mqtt";

    private readonly SourcesOptions _options = options.Value;

    private MqttSourceOptions Mqtt => _options.Mqtt;

    private string Self => silo.SiloAddress.ToParsableString();

    /// <summary>
    /// A partition's client id: the group, the partition and a hash of its filter, so that changing the partitions
    /// starts new sessions rather than resuming one subscribed to an old filter.
    /// </summary>
    public static string PartitionClientId(string group, int partition, string filter) =>
        $"{group}-p{partition}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filter)))[..8]}";

    /// <summary>The name of a partition's lease in Redis.</summary>
    public static string PartitionLeaseName(string group, int partition) => $"fleet:mqtt:{group}:{partition}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Mqtt.Enabled)
        {
            return;
        }

        if (Mqtt.Mode == MqttSubscriptionMode.Shared)
        {
            // Fixed per silo endpoint, so that a restarted silo resumes its session.
            var clientId = $"{Mqtt.ShareGroup}-{silo.SiloAddress.Endpoint}".Replace(':', '-');
            await RunUntilStoppedAsync([new MqttPartitionReader(0, "", clientId, $"$share/{Mqtt.ShareGroup}/{MqttTopic.Filter}", _options, processor, logger)], stoppingToken);
        }
        else if (!redis.IsConfigured)
        {
            // No Redis for leases: the embedded single silo, which reads every partition.
            await RunUntilStoppedAsync([.. Enumerable.Range(0, Mqtt.PartitionFilters.Count).Select(Reader)], stoppingToken);
        }
        else
        {
            await RunLeasedAsync(stoppingToken);
        }
    }

    private MqttPartitionReader Reader(int partition) => new(
        partition,
        PartitionLeaseName(Mqtt.ShareGroup, partition),
        PartitionClientId(Mqtt.ShareGroup, partition, Mqtt.PartitionFilters[partition]),
        Mqtt.PartitionFilters[partition],
        _options,
        processor,
        logger);

    private static async Task RunUntilStoppedAsync(IReadOnlyList<MqttPartitionReader> readers, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (var reader in readers)
        {
            reader.RequestStop();
        }

        await Task.WhenAll(readers.Select(r => r.Completion));
    }

    private async Task RunLeasedAsync(CancellationToken stoppingToken)
    {
        LogStarting(logger, Mqtt.PartitionFilters.Count, Self);
        var partitions = new LeasedPartitions<MqttPartitionReader>(
            Self, Mqtt.PartitionFilters.Count, p => PartitionLeaseName(Mqtt.ShareGroup, p), Mqtt.LeaseDuration, Reader, _ => { }, logger);
        using var timer = new PeriodicTimer(Mqtt.RebalanceInterval);
        do
        {
            try
            {
                await partitions.RebalanceAsync(await redis.DatabaseAsync(), Rebalancing.ActiveReaders(membership, metadata, SourceRoles.Mqtt));
            }
            catch (Exception ex)
            {
                LogRebalanceFailed(logger, ex);
            }
        }
        while (await Rebalancing.NextTickAsync(timer, stoppingToken));

        await partitions.ReleaseAllAsync(await redis.DatabaseAsync());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Partitions} MQTT partitions as {Silo}'s share")]
    private static partial void LogStarting(ILogger logger, int partitions, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebalancing the MQTT partitions failed; trying again")]
    private static partial void LogRebalanceFailed(ILogger logger, Exception exception);
}
