using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Sources;

/// <summary>The ingestion sources besides HTTP, and where bad input goes; bound from <c>Fleet:Sources</c>.</summary>
public sealed class SourcesOptions
{
    public const string Section = "Fleet:Sources";

    /// <summary>
    /// The Redis the sources read streams from and keep dead letters, counters and partition leases in
    /// (a StackExchange.Redis connection string). Unset: <c>Fleet:Cluster:Redis</c>; with neither, dead
    /// letters are kept in memory (the newest <see cref="DeadLetterMaxLength"/> per silo).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The stream dead letters are added to.</summary>
    public string DeadLetterStream { get; set; } = "fleet:deadletters";

    /// <summary>The Redis hash the sources count their events in (see <see cref="SourceCounters"/>).</summary>
    public string CountersKey { get; set; } = "fleet:sources:counters";

    /// <summary>Dead letters kept (older ones are trimmed).</summary>
    public int DeadLetterMaxLength { get; set; } = 100_000;

    /// <summary>How many times a batch whose devices did not take it is tried before its events are dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>The pause before the second attempt; it doubles with every attempt, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public RedisStreamsOptions RedisStreams { get; set; } = new();

    public MqttSourceOptions Mqtt { get; set; } = new();

    public Kafka.KafkaSourceOptions Kafka { get; set; } = new();

    public EventHubs.EventHubsSourceOptions EventHubs { get; set; } = new();

    public TimeSpan RetryDelayFor(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks << Math.Min(attempt - 1, 20)));
}

/// <summary>Telemetry from Redis Streams: one stream key per partition, read by one silo at a time through a consumer group.</summary>
public sealed class RedisStreamsOptions
{
    public bool Enabled { get; set; }

    /// <summary>Partition p is the stream <c>{StreamPrefix}:{p}</c>.</summary>
    public string StreamPrefix { get; set; } = "fleet:telemetry";

    /// <summary>
    /// Partitions (streams). At most one silo reads each, so this bounds how many silos share the load;
    /// producers put all of a device's events on one partition (see <see cref="StreamPartitioner"/>).
    /// </summary>
    public int Partitions { get; set; } = 8;

    public string ConsumerGroup { get; set; } = "fleetgrains";

    /// <summary>Entries read per batch: at most this many are in flight per partition (backpressure).</summary>
    public int ReadCount { get; set; } = 256;

    /// <summary>The pause after a read found nothing new.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>An owner that stops renewing its partition's lease loses it after this long (a dead silo's partitions move then).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo renews its leases, compares its partitions with its fair share, and publishes the lag.</summary>
    public TimeSpan RebalanceInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>How silos split the MQTT telemetry between them (see <see cref="Mqtt.MqttSource"/>).</summary>
public enum MqttSubscriptionMode
{
    /// <summary>Each partition (a topic filter) is one persistent session, read by one silo at a time: a device's order is kept.</summary>
    Partitioned,

    /// <summary>Every silo joins one shared subscription: the broker decides who gets which message.</summary>
    Shared,
}

/// <summary>Telemetry from an MQTT broker: topic <c>fleets/{fleetId}/devices/{deviceId}/telemetry</c>, QoS 1.</summary>
public sealed class MqttSourceOptions
{
    public bool Enabled { get; set; }

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>Partitioned (default: a device's messages keep their order) or Shared.</summary>
    public MqttSubscriptionMode Mode { get; set; } = MqttSubscriptionMode.Partitioned;

    /// <summary>
    /// Partitioned mode: the partitions, as disjoint topic filters of the form <c>fleets/{fleet or +}/devices/{device or +}/telemetry</c>,
    /// e.g. one per fleet to spread fleets over silos. Unset: one partition, <c>fleets/+/devices/+/telemetry</c>.
    /// </summary>
    public string[]? Partitions { get; set; }

    /// <summary>
    /// The name the silos share: the share group in Shared mode (<c>$share/{ShareGroup}/…</c>), the prefix of the
    /// partitions' client ids and leases in Partitioned mode.
    /// </summary>
    public string ShareGroup { get; set; } = "fleetgrains";

    /// <summary>How long the broker keeps a session (and queues its messages) with no client connected.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Partitioned mode: an owner that stops renewing a partition's lease loses it after this long.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Partitioned mode: how often a silo renews its leases and compares its partitions with its fair share.</summary>
    public TimeSpan RebalanceInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The partitions' topic filters in effect.</summary>
    public IReadOnlyList<string> PartitionFilters => Partitions is { Length: > 0 } ? Partitions : [Mqtt.MqttTopic.Filter];

    /// <summary>Messages handled together (one grain call per device per batch).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long a batch waits for more messages once it has one.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Messages received but not yet acknowledged; the broker stops sending at this many (backpressure).</summary>
    public int MaxInFlight { get; set; } = 1000;

    /// <summary>The user the silos sign in to the broker as (its ACL should let it read the telemetry topics only).</summary>
    public string? Username { get; set; }

    /// <summary>The user's password.</summary>
    public string? Password { get; set; }

    /// <summary>Connect with TLS (the broker's TLS listener, usually port 8883).</summary>
    public bool Tls { get; set; }

    /// <summary>With TLS: a PEM file of the CA(s) the broker's certificate must chain to; unset: the machine's trust store.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>With TLS: the name the broker's certificate must carry; unset: <see cref="Host"/>.</summary>
    public string? TlsHost { get; set; }
}

public sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions o)
    {
        var failures = new List<string>();
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add($"{SourcesOptions.Section}:{message}");
            }
        }

        Require(o.DeadLetterMaxLength >= 1, $"DeadLetterMaxLength must be at least 1 (was {o.DeadLetterMaxLength}).");
        Require(!string.IsNullOrWhiteSpace(o.DeadLetterStream) && !string.IsNullOrWhiteSpace(o.CountersKey), "DeadLetterStream and CountersKey must not be empty.");
        Require(o.MaxAttempts >= 1, $"MaxAttempts must be at least 1 (was {o.MaxAttempts}).");
        Require(o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay, "RetryDelay must be positive and MaxRetryDelay at least RetryDelay.");
        var streams = o.RedisStreams;
        Require(streams.Partitions is >= 1 and <= 4096, $"RedisStreams:Partitions must be between 1 and 4096 (was {streams.Partitions}).");
        Require(streams.ReadCount is >= 1 and <= 100_000, $"RedisStreams:ReadCount must be between 1 and 100000 (was {streams.ReadCount}).");
        Require(!string.IsNullOrWhiteSpace(streams.StreamPrefix) && !string.IsNullOrWhiteSpace(streams.ConsumerGroup), "RedisStreams:StreamPrefix and ConsumerGroup must not be empty.");
        Require(streams.PollInterval > TimeSpan.Zero && streams.RebalanceInterval > TimeSpan.Zero, "RedisStreams:PollInterval and RebalanceInterval must be positive.");
        Require(streams.LeaseDuration >= 3 * streams.RebalanceInterval, "RedisStreams:LeaseDuration must be at least 3 × RebalanceInterval (leases are renewed every RebalanceInterval).");
        Require(!streams.Enabled || !string.IsNullOrWhiteSpace(o.Redis), "Redis (or Fleet:Cluster:Redis) is required when RedisStreams:Enabled is true.");
        var mqtt = o.Mqtt;
        Require(mqtt.Port is >= 1 and <= 65535, $"Mqtt:Port must be between 1 and 65535 (was {mqtt.Port}).");
        Require(!string.IsNullOrWhiteSpace(mqtt.Host) && !string.IsNullOrWhiteSpace(mqtt.ShareGroup), "Mqtt:Host and ShareGroup must not be empty.");
        Require(mqtt.BatchSize is >= 1 and <= 65_535, $"Mqtt:BatchSize must be between 1 and 65535 (was {mqtt.BatchSize}).");
        Require(mqtt.MaxInFlight is >= 1 and <= 65_535 && mqtt.MaxInFlight >= mqtt.BatchSize, "Mqtt:MaxInFlight must be between BatchSize and 65535.");
        Require(mqtt.BatchDelay >= TimeSpan.Zero, "Mqtt:BatchDelay must not be negative.");
        Require(mqtt.SessionExpiry >= TimeSpan.FromSeconds(1) && mqtt.SessionExpiry.TotalSeconds <= uint.MaxValue, "Mqtt:SessionExpiry must be at least 1 second.");
        Require(mqtt.RebalanceInterval > TimeSpan.Zero && mqtt.LeaseDuration >= 3 * mqtt.RebalanceInterval, "Mqtt:LeaseDuration must be at least 3 × RebalanceInterval (leases are renewed every RebalanceInterval).");
        Require(string.IsNullOrEmpty(mqtt.Password) || !string.IsNullOrEmpty(mqtt.Username), "Mqtt:Username is required with Password.");
        Require(mqtt.Tls || (mqtt.TlsCaFile is null && mqtt.TlsHost is null), "Mqtt:TlsCaFile and TlsHost need Tls=true.");
        Require(mqtt.TlsCaFile is null || File.Exists(mqtt.TlsCaFile), $"Mqtt:TlsCaFile '{mqtt.TlsCaFile}' does not exist.");
        foreach (var problem in Mqtt.MqttPartitionFilters.Problems(mqtt.PartitionFilters))
        {
            Require(false, $"Mqtt:Partitions: {problem}");
        }

        foreach (var problem in o.Kafka.Problems().Concat(o.EventHubs.Problems()))
        {
            Require(false, problem);
        }

        Require(!o.EventHubs.Enabled || !string.IsNullOrWhiteSpace(o.Redis), "Redis (or Fleet:Cluster:Redis) is required when EventHubs:Enabled is true: the processors keep ownership and checkpoints there.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
