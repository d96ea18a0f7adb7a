using FleetGrains.LocalServers;
using EventHubsTestDouble = FleetGrains.EventHubsDouble.EventHubsDouble;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>Silo processes reading an Event Hub of <paramref name="partitions"/> partitions (the test double) and checkpointing in a real redis-server; all stopped afterwards.</summary>
public abstract class EventHubsSiloTests(int partitions) : IAsyncLifetime
{
    protected int Partitions { get; } = partitions;

    protected List<SiloProcess> Silos { get; } = [];

    protected EventHubsTestDouble Hub { get; private set; } = null!;

    protected RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        Hub = EventHubsHarness.StartHub(Partitions);
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }

        await Hub.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
