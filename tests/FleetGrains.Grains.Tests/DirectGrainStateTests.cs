using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace FleetGrains.Grains.Tests;

/// <summary>A device's state when its grain moves to another silo (<see cref="DirectGrainState{TState}"/>).</summary>
public class DirectGrainStateTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void AMigratingGrain_TakesItsUnsavedStateAlong_UnderTheKeyAndTypeOfOrleansBridge()
    {
        var twin = new DeviceTwin(4, 2);
        twin.Ingest([new TelemetrySample(7, 1_000, [1f, 2f])], DateTimeOffset.UnixEpoch, new DeviceOptions(), null, null, []);
        var leaving = NewState();
        leaving.State.Twin = twin;
        leaving.ETag = "41";
        leaving.RecordExists = true;
        var context = new SerializedMigrationContext();

        leaving.Dehydrate(context);
        var arriving = NewState();
        var rehydrated = arriving.TryRehydrate(context);

        Assert.True(rehydrated);
        Assert.True(arriving.IsLoaded);
        Assert.Equal(("41", true, 7L), (arriving.ETag, arriving.RecordExists, arriving.State.Twin!.LastSeq));
        // What Orleans' [PersistentState] bridge adds and takes: a silo with either hands the grain over to the other.
        Assert.True(context.TryGetValue<GrainState<DeviceState>>("state.device", out var bridgeForm));
        Assert.Equal(7L, bridgeForm.State!.Twin!.LastSeq);
    }

    [Fact]
    public void AGrainArrivingWithoutState_IsReadFromStorage()
    {
        var state = NewState();

        Assert.False(state.TryRehydrate(new SerializedMigrationContext()));
        Assert.False(state.IsLoaded);
    }

    // The grain is only asked for its id when storage is read or written, which these tests do not do.
    private static DirectGrainState<DeviceState> NewState() => new(null!, "device", new UnusedStorage());

    private sealed class UnusedStorage : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
    }

    // Values go through Orleans' serializer, as between silos.
    private sealed class SerializedMigrationContext : IDehydrationContext, IRehydrationContext
    {
        private readonly Dictionary<string, byte[]> _values = [];

        public IEnumerable<string> Keys => _values.Keys;

        public void AddBytes(string key, ReadOnlySpan<byte> value) => _values[key] = value.ToArray();

        public void AddBytes<T>(string key, Action<T, IBufferWriter<byte>> valueWriter, T value)
        {
            var buffer = new ArrayBufferWriter<byte>();
            valueWriter(value, buffer);
            _values[key] = buffer.WrittenSpan.ToArray();
        }

        public bool TryAddValue<T>(string key, T? value) => _values.TryAdd(key, Serializer.SerializeToArray(value));

        public bool TryGetBytes(string key, out ReadOnlySequence<byte> value)
        {
            var found = _values.TryGetValue(key, out var bytes);
            value = new ReadOnlySequence<byte>(bytes ?? []);
            return found;
        }

        public bool TryGetValue<T>(string key, [NotNullWhen(true)] out T? value)
        {
            value = _values.TryGetValue(key, out var bytes) ? Serializer.Deserialize<T>(bytes) : default;
            return value is not null;
        }
    }
}
