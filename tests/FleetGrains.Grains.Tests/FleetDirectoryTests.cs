using FleetGrains.Abstractions;

namespace FleetGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class FleetDirectoryTests(ClusterFixture fixture)
{
    // The silo's shards register with directory 0; these tests use directories of their own.
    private IFleetDirectoryGrain Directory(long key) => fixture.Client.GetGrain<IFleetDirectoryGrain>(key);

    [Fact]
    public async Task ARegistrationThatWasNotWritten_IsNotListed_AndRegisteringAgainWritesIt()
    {
        var directory = Directory(101);
        await directory.RegisterAsync("first");
        fixture.Storage.FailNextWrite(directory.GetGrainId());

        await Assert.ThrowsAsync<OrleansException>(() => directory.RegisterAsync("second"));
        Assert.Equal(["first"], await directory.ListAsync());

        await directory.RegisterAsync("second");
        Assert.Equal(["first", "second"], (await directory.ListAsync()).Order());
        await fixture.Cluster.DeactivateAsync(directory.GetGrainId());
        Assert.Equal(["first", "second"], (await directory.ListAsync()).Order());
    }

    [Fact]
    public async Task AfterAWriteWhoseAnswerWasLost_TheConflictingWriteEndsTheActivation_AndTheNextOneHasWhatWasStored()
    {
        var directory = Directory(102);
        var grainId = directory.GetGrainId();
        fixture.Storage.LoseAnswerToNextWrite(grainId);
        await Assert.ThrowsAsync<OrleansException>(() => directory.RegisterAsync("applied"));
        Assert.Empty(await directory.ListAsync());

        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grainId);
        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => directory.RegisterAsync("refused"));
        await deactivated.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(["applied"], await directory.ListAsync());
        await directory.RegisterAsync("refused");
        Assert.Equal(["applied", "refused"], (await directory.ListAsync()).Order());
    }
}
