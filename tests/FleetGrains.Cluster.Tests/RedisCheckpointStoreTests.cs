using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.LocalServers;
using StackExchange.Redis;

namespace FleetGrains.Cluster.Tests;

/// <summary>The Event Hubs processors' ownership and checkpoints in a real redis-server.</summary>
public sealed class RedisCheckpointStoreTests : IAsyncLifetime
{
    private const string Namespace = "fleet.servicebus.windows.net";
    private const string Hub = "telemetry";
    private const string Group = "$Default";

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisCheckpointStore _store = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync(durable: false);
        _connection = await ClusterHarness.ConnectAsync(_redis);
        _store = new RedisCheckpointStore(() => Task.FromResult(_connection.GetDatabase()), "fleet:eventhubs", TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AClaimWins_OnlyAgainstTheVersionItRead_AndTheListShowsTheWinner()
    {
        var first = (await _store.ClaimOwnershipAsync([Ownership("0", "silo-a", version: null)])).Single();
        Assert.Empty(await _store.ClaimOwnershipAsync([Ownership("0", "silo-b", version: null)])); // expected none, there is one

        Assert.NotNull(first.Version);
        var renewed = (await _store.ClaimOwnershipAsync([Ownership("0", "silo-a", first.Version)])).Single();
        Assert.NotEqual(first.Version, renewed.Version);
        Assert.Empty(await _store.ClaimOwnershipAsync([Ownership("0", "silo-b", first.Version)])); // a stale version loses

        var taken = (await _store.ClaimOwnershipAsync([Ownership("0", "silo-b", renewed.Version), Ownership("1", "silo-b", version: null)])).ToList();
        Assert.Equal(["0", "1"], taken.Select(o => o.PartitionId).Order());
        var listed = (await _store.ListOwnershipAsync(Namespace, Hub, Group)).OrderBy(o => o.PartitionId).ToList();
        Assert.Equal([("0", "silo-b"), ("1", "silo-b")], listed.Select(o => (o.PartitionId, o.OwnerIdentifier)));
        Assert.Equal(taken.Single(o => o.PartitionId == "0").Version, listed[0].Version);
        Assert.Empty(await _store.ListOwnershipAsync(Namespace, Hub, "other-group"));
    }

    [Fact]
    public async Task ManyClaimantsAtOnce_ExactlyOneWins()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _store.ClaimOwnershipAsync([Ownership("7", $"silo-{i}", version: null)])));

        var winner = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(winner.OwnerIdentifier, Assert.Single(await _store.ListOwnershipAsync(Namespace, Hub, Group)).OwnerIdentifier);
    }

    [Fact]
    public async Task ACheckpoint_IsReadBackAsThePositionAfterIt()
    {
        Assert.Null(await _store.GetCheckpointAsync(Namespace, Hub, Group, "3"));
        await _store.ClaimOwnershipAsync([Ownership("3", "silo-a", version: null)]);

        await _store.UpdateCheckpointAsync(Namespace, Hub, Group, "3", "silo-a", new CheckpointPosition("4096", 41), CancellationToken.None);
        var checkpoint = await _store.GetCheckpointAsync(Namespace, Hub, Group, "3");

        Assert.NotNull(checkpoint);
        Assert.Equal(EventPosition.FromOffset("4096", isInclusive: false), checkpoint.StartingPosition);
        Assert.Equal(("3", "silo-a"), (checkpoint.PartitionId, checkpoint.ClientIdentifier));
        Assert.Null(await _store.GetCheckpointAsync(Namespace, Hub, Group, "4"));
    }

    [Fact]
    public async Task ACheckpoint_IsWrittenOnlyByThePartitionsOwner_SoALateOneOfAnEarlierOwnerCannotMoveItBack()
    {
        var claimed = (await _store.ClaimOwnershipAsync([Ownership("3", "silo-a", version: null)])).Single();
        await _store.UpdateCheckpointAsync(Namespace, Hub, Group, "3", "silo-a", At(41), CancellationToken.None);
        await _store.ClaimOwnershipAsync([Ownership("3", "silo-b", claimed.Version)]); // silo-a's ownership expired: silo-b took the partition
        await _store.UpdateCheckpointAsync(Namespace, Hub, Group, "3", "silo-b", At(90), CancellationToken.None);

        // silo-a's batch through 60 was in hand when it lost the partition.
        var late = await Assert.ThrowsAsync<PartitionOwnershipLostException>(() =>
            _store.UpdateCheckpointAsync(Namespace, Hub, Group, "3", "silo-a", At(60), CancellationToken.None));
        Assert.Equal(("3", "silo-b"), (late.PartitionId, late.Owner));
        Assert.Contains("processor 'silo-b', not by 'silo-a'", late.Message);
        Assert.Equal(new Dictionary<string, long> { ["3"] = 90 }, await _store.ListCheckpointedSequenceNumbersAsync(Namespace, Hub, Group));

        var unowned = await Assert.ThrowsAsync<PartitionOwnershipLostException>(() =>
            _store.UpdateCheckpointAsync(Namespace, Hub, Group, "4", "silo-a", At(7), CancellationToken.None));
        Assert.Null(unowned.Owner);
        Assert.Null(await _store.GetCheckpointAsync(Namespace, Hub, Group, "4"));
    }

    // A position after the event with this sequence number (offsets are not sequence numbers).
    private static CheckpointPosition At(long sequenceNumber) => new((sequenceNumber * 64).ToString(System.Globalization.CultureInfo.InvariantCulture), sequenceNumber);

    private static EventProcessorPartitionOwnership Ownership(string partition, string owner, string? version) => new()
    {
        FullyQualifiedNamespace = Namespace,
        EventHubName = Hub,
        ConsumerGroup = Group,
        PartitionId = partition,
        OwnerIdentifier = owner,
        Version = version,
    };
}
