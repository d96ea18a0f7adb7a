using Confluent.Kafka;

namespace FleetGrains.Ingestion.Kafka;

/// <summary>
/// Telemetry from a Kafka topic (also Azure Event Hubs' Kafka endpoint, Confluent Cloud, Redpanda), read by a consumer
/// group that all silos join: the group's coordinator spreads the topic's partitions over them.
/// </summary>
public sealed class KafkaSourceOptions
{
    public bool Enabled { get; set; }

    /// <summary>The brokers to start from, <c>host:port[,host:port…]</c>.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The topic the devices' telemetry is on; a message's value is one event, a JSON array or NDJSON of events, or a binary batch.</summary>
    public string Topic { get; set; } = "fleet-telemetry";

    /// <summary>The consumer group the silos share: offsets are committed for it.</summary>
    public string GroupId { get; set; } = "fleetgrains";

    /// <summary>Where a partition without a committed offset of the group starts.</summary>
    public AutoOffsetReset StartFrom { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>Messages handled together (one grain call per device per batch); the next are read only after these were committed.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a batch waits for more messages once it has one.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How often the lag of this silo's partitions is published.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Plaintext, Ssl, SaslPlaintext or SaslSsl (Event Hubs and Confluent Cloud: SaslSsl).</summary>
    public SecurityProtocol SecurityProtocol { get; set; } = SecurityProtocol.Plaintext;

    /// <summary>Plain, ScramSha256, ScramSha512 or OAuthBearer, with SASL.</summary>
    public SaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>A PEM file of the CA the brokers' certificates are checked against (unset: the machine's trust store).</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>Any other librdkafka setting by its name (e.g. <c>fetch.max.bytes</c>); these win over the settings above.</summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    /// <summary>The consumer's configuration: offsets are committed by the source after the grains took the events, never automatically.</summary>
    public ConsumerConfig ConsumerConfig(string clientId)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = GroupId,
            ClientId = clientId,
            AutoOffsetReset = StartFrom,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SecurityProtocol = SecurityProtocol,
            SaslMechanism = SaslMechanism,
            SaslUsername = SaslUsername,
            SaslPassword = SaslPassword,
            SslCaLocation = SslCaLocation,
        };
        foreach (var (name, value) in Properties)
        {
            config.Set(name, value);
        }

        return config;
    }

    /// <summary>What is wrong with these settings, as <c>Kafka:…</c> sentences; none when the source is off.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            yield return "Kafka:BootstrapServers is required when Kafka:Enabled is true.";
        }

        if (string.IsNullOrWhiteSpace(Topic) || string.IsNullOrWhiteSpace(GroupId))
        {
            yield return "Kafka:Topic and GroupId must not be empty.";
        }

        if (BatchSize is < 1 or > 100_000)
        {
            yield return $"Kafka:BatchSize must be between 1 and 100000 (was {BatchSize}).";
        }

        if (BatchDelay < TimeSpan.Zero || LagInterval <= TimeSpan.Zero)
        {
            yield return "Kafka:BatchDelay must not be negative and LagInterval must be positive.";
        }

        var sasl = SecurityProtocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        if (sasl != SaslMechanism.HasValue)
        {
            yield return $"Kafka:SaslMechanism goes with SecurityProtocol SaslPlaintext or SaslSsl (were {SaslMechanism?.ToString() ?? "unset"}, {SecurityProtocol}).";
        }

        if (!string.IsNullOrEmpty(SaslPassword) && string.IsNullOrEmpty(SaslUsername))
        {
            yield return "Kafka:SaslUsername is required with SaslPassword.";
        }

        if (SslCaLocation is not null && !File.Exists(SslCaLocation))
        {
            yield return $"Kafka:SslCaLocation '{SslCaLocation}' does not exist.";
        }

        foreach (var name in Properties.Keys.Where(k => k is "enable.auto.commit" or "enable.auto.offset.store" or "group.id"))
        {
            yield return $"Kafka:Properties may not set '{name}': the source commits offsets itself, after the grains took the events.";
        }
    }
}
