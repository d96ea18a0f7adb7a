using System.Buffers;
using Orleans.Storage;

namespace FleetGrains.Grains;

/// <summary>
/// Grain state in Orleans' binary format (the <c>[Id]</c>-numbered fields are the stored contract; the same bytes
/// as <see cref="OrleansGrainStorageSerializer"/>), written into a buffer each thread keeps: Orleans' own
/// <c>SerializeToArray</c> grows a fresh buffer per write and copies it out, ~3.5 times a device's state in garbage
/// per write (a fifth of the silo's allocation under load). A store that copies the bytes anyway reads them from
/// <see cref="SerializeToScratch"/>; <see cref="Serialize"/> hands out one array of the exact size.
/// </summary>
public sealed class StateSerializer(Orleans.Serialization.Serializer serializer) : IGrainStorageSerializer
{
    // A thread keeps its buffer unless one state made it larger than this (a fleet shard with many devices, say).
    private const int KeptCapacity = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    public BinaryData Serialize<T>(T? input) => new(SerializeToScratch(input).ToArray());

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;

    /// <summary>The serialized state in this thread's buffer: valid until this thread serializes again (copy it before any await).</summary>
    public ReadOnlySpan<byte> SerializeToScratch<T>(T? input)
    {
        var scratch = t_scratch;
        if (scratch is null || scratch.Capacity > KeptCapacity)
        {
            t_scratch = scratch = new ArrayBufferWriter<byte>(4096);
        }

        scratch.ResetWrittenCount();
        serializer.Serialize(input, scratch);
        return scratch.WrittenSpan;
    }
}
