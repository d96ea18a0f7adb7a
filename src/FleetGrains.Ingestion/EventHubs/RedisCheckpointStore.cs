using System.Text.Json;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.EventHubs;

/// <summary>
/// Where the silos' Event Hubs processors keep partition ownership and checkpoints: in Redis, one hash of ownership
/// records and one of checkpoints per Event Hub and consumer group (<c>{prefix}:{namespace}/{hub}/{group}:ownership</c>
/// and <c>…:checkpoints</c>, a field per partition). A claim succeeds only when the record's version is still the one
/// the claimant read (or there is none and it expected none) — a compare-and-set in one Lua script, as the Azure Blob
/// store does it with ETags — so that two processors never both win a partition. A checkpoint is written only by the
/// partition's owner, so that it never moves back.
/// </summary>
public sealed class RedisCheckpointStore(Func<Task<IDatabase>> database, string prefix, TimeProvider time) : CheckpointStore
{
    // KEYS[1] the ownership hash; ARGV[1] the partition, ARGV[2] the version the claimant read ('' for none), ARGV[3] the new
    // record (camel-case JSON, as written below).
    private const string ClaimScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          if cjson.decode(current).version ~= ARGV[2] then return 0 end
        elseif ARGV[2] ~= '' then
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    // KEYS[1] the ownership hash, KEYS[2] the checkpoint hash; ARGV[1] the partition, ARGV[2] the writer, ARGV[3] the
    // checkpoint record. Writes it only when the writer owns the partition; returns the owner ('' for none).
    private const string CheckpointScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        local owner = current and cjson.decode(current).owner or ''
        if owner == ARGV[2] then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
        return owner
        """;

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken = default)
    {
        var db = await database();
        var entries = await db.HashGetAllAsync(Key(fullyQualifiedNamespace, eventHubName, consumerGroup, "ownership"));
        return [.. entries.Select(e =>
        {
            var record = JsonSerializer.Deserialize<OwnershipRecord>((string)e.Value!, JsonSerializerOptions.Web)!;
            return new EventProcessorPartitionOwnership
            {
                FullyQualifiedNamespace = fullyQualifiedNamespace,
                EventHubName = eventHubName,
                ConsumerGroup = consumerGroup,
                PartitionId = e.Name!,
                OwnerIdentifier = record.Owner,
                Version = record.Version,
                LastModifiedTime = DateTimeOffset.FromUnixTimeMilliseconds(record.ModifiedMs),
            };
        })];
    }

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(
        IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desiredOwnership);
        var db = await database();
        var claimed = new List<EventProcessorPartitionOwnership>();
        foreach (var ownership in desiredOwnership)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = time.GetUtcNow();
            var record = new OwnershipRecord(ownership.OwnerIdentifier ?? "", Guid.NewGuid().ToString("N"), now.ToUnixTimeMilliseconds());
            var won = (int)await db.ScriptEvaluateAsync(
                ClaimScript,
                [Key(ownership.FullyQualifiedNamespace, ownership.EventHubName, ownership.ConsumerGroup, "ownership")],
                [ownership.PartitionId, ownership.Version ?? "", JsonSerializer.Serialize(record, JsonSerializerOptions.Web)]);
            if (won == 1)
            {
                ownership.Version = record.Version;
                ownership.LastModifiedTime = DateTimeOffset.FromUnixTimeMilliseconds(record.ModifiedMs);
                claimed.Add(ownership);
            }
        }

        return claimed;
    }

    public override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken = default)
    {
        var db = await database();
        var value = await db.HashGetAsync(Key(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoints"), partitionId);
        if (value.IsNull)
        {
            return null;
        }

        var record = JsonSerializer.Deserialize<CheckpointRecord>((string)value!, JsonSerializerOptions.Web)!;
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHubName,
            ConsumerGroup = consumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = record.Client,
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(record.ModifiedMs),
            // Reading resumes after the checkpointed event: it was done.
            StartingPosition = record.Offset is { } offset
                ? EventPosition.FromOffset(offset, isInclusive: false)
                : EventPosition.FromSequenceNumber(record.SequenceNumber, isInclusive: false),
        };
    }

    /// <summary>The sequence number each partition of the consumer group is checkpointed at (the last event done), by partition.</summary>
    public async Task<Dictionary<string, long>> ListCheckpointedSequenceNumbersAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup)
    {
        var db = await database();
        var entries = await db.HashGetAllAsync(Key(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoints"));
        return entries.ToDictionary(
            e => (string)e.Name!,
            e => JsonSerializer.Deserialize<CheckpointRecord>((string)e.Value!, JsonSerializerOptions.Web)!.SequenceNumber);
    }

    /// <summary>
    /// Writes the checkpoint only while <paramref name="clientIdentifier"/> owns the partition (checked and written in one
    /// script); otherwise throws <see cref="PartitionOwnershipLostException"/>. A processor that lost the partition while
    /// a batch was in hand (its ownership expired while Redis was down, or the partition was balanced away) would
    /// otherwise move the checkpoint back behind what the new owner has done.
    /// </summary>
    public override async Task UpdateCheckpointAsync(
        string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string clientIdentifier,
        CheckpointPosition startingPosition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = await database();
        var record = new CheckpointRecord(startingPosition.OffsetString, startingPosition.SequenceNumber, clientIdentifier, time.GetUtcNow().ToUnixTimeMilliseconds());
        var owner = (string?)await db.ScriptEvaluateAsync(
            CheckpointScript,
            [Key(fullyQualifiedNamespace, eventHubName, consumerGroup, "ownership"), Key(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoints")],
            [partitionId, clientIdentifier, JsonSerializer.Serialize(record, JsonSerializerOptions.Web)]);
        if (owner != clientIdentifier)
        {
            throw new PartitionOwnershipLostException(partitionId, clientIdentifier, owner, startingPosition.SequenceNumber);
        }
    }

    private string Key(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string kind) =>
        $"{prefix}:{fullyQualifiedNamespace.ToLowerInvariant()}/{eventHubName.ToLowerInvariant()}/{consumerGroup.ToLowerInvariant()}:{kind}";

    private sealed record OwnershipRecord(string Owner, string Version, long ModifiedMs);

    private sealed record CheckpointRecord(string? Offset, long SequenceNumber, string? Client, long ModifiedMs);
}
