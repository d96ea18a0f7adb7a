using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

public class ProcessMemoryGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("device", "f/d1");

    [Fact]
    public async Task WrittenState_IsReadBackAsACopy_WithItsETag()
    {
        var storage = NewStorage();
        var written = new GrainState<List<int>>([1, 2, 3]);
        await storage.WriteStateAsync("device", Grain, written);
        written.State!.Add(4); // the grain goes on changing its state after the write

        var read = new GrainState<List<int>>([]);
        await storage.ReadStateAsync("device", Grain, read);

        Assert.Equal([1, 2, 3], read.State);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task AWriteWithAStaleETag_IsRefused_AndKeepsTheNewerState()
    {
        var storage = NewStorage();
        var first = new GrainState<List<int>>([1]);
        await storage.WriteStateAsync("device", Grain, first);
        var stale = new GrainState<List<int>>([9]) { ETag = first.ETag };
        await storage.WriteStateAsync("device", Grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("device", Grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("device", Grain, new GrainState<List<int>>([7])));
        var read = new GrainState<List<int>>([]);
        await storage.ReadStateAsync("device", Grain, read);
        Assert.Equal([1], read.State);
    }

    [Fact]
    public async Task ClearedState_ReadsAsNoRecord_AndCanBeWrittenAgain()
    {
        var storage = NewStorage();
        var state = new GrainState<List<int>>([1]);
        await storage.WriteStateAsync("device", Grain, state);

        await storage.ClearStateAsync("device", Grain, state);
        var read = new GrainState<List<int>>([]);
        await storage.ReadStateAsync("device", Grain, read);
        await storage.WriteStateAsync("device", Grain, new GrainState<List<int>>([5]));

        Assert.False(read.RecordExists);
        Assert.Empty(read.State!);
    }

    [Fact]
    public async Task StatesThatGrowAndShrink_AreEachReadBackWhole()
    {
        var storage = NewStorage();
        var state = new GrainState<List<int>>([]);
        foreach (var length in new[] { 100, 2, 60, 61, 300, 0, 5 })
        {
            state.State = [.. Enumerable.Range(1, length)];
            await storage.WriteStateAsync("device", Grain, state);

            var read = new GrainState<List<int>>([]);
            await storage.ReadStateAsync("device", Grain, read);
            Assert.Equal(state.State, read.State);
            Assert.Equal(state.ETag, read.ETag);
        }
    }

    private static ProcessMemoryGrainStorage NewStorage()
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        return new ProcessMemoryGrainStorage(new StateSerializer(services.GetRequiredService<Serializer>()));
    }
}
