using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

public class StateSerializerTests
{
    private static readonly GrainId Grain = GrainId.Create("device", "f/d1");

    [Fact]
    public void Serialize_WritesTheBytesOfOrleansOwnStorageSerializer_SoStatesStoredBeforeStayReadable()
    {
        var serializer = NewSerializer();
        var orleans = new OrleansGrainStorageSerializer(serializer);
        var ours = new StateSerializer(serializer);
        List<float[]> state = [[1f, 2.5f, float.MaxValue], [], [-0f]];

        var bytes = ours.Serialize(state).ToArray();

        Assert.Equal(orleans.Serialize(state).ToArray(), bytes);
        var read = ours.Deserialize<List<float[]>>(orleans.Serialize(state));
        Assert.Equal(state, read);
        Assert.Equal(bytes, ours.SerializeToScratch(state).ToArray()); // the scratch buffer holds the same bytes
    }

    [Fact]
    public async Task AWriteToTheEmbeddedStore_AllocatesFarLessThanTheState()
    {
        // A 40 KB state written again and again: Orleans' SerializeToArray grows and copies a fresh buffer
        // per write (several times the state); the scratch buffer and the store's own buffer are reused.
        var storage = new ProcessMemoryGrainStorage(new StateSerializer(NewSerializer()));
        var state = new GrainState<float[]>([.. Enumerable.Range(0, 10_000).Select(i => i * 0.5f)]);
        await storage.WriteStateAsync("device", Grain, state);

        var least = long.MaxValue;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            state.State![attempt] = -attempt;
            await storage.WriteStateAsync("device", Grain, state);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(least < 4_000, $"a write of a 40 KB state allocated {least} bytes");
        var read = new GrainState<float[]>([]);
        await storage.ReadStateAsync("device", Grain, read);
        Assert.Equal(state.State, read.State);
    }

    private static Serializer NewSerializer() =>
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
}
