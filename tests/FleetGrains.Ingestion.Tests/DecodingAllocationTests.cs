using System.Globalization;
using System.Text;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Tests.Binary;
using Xunit.Abstractions;

namespace FleetGrains.Ingestion.Tests;

/// <summary>
/// What decoding costs the heap per event, in bytes (deterministic, unlike times): the values go into the
/// batch's pooled chunks and the ids are one string per device, so no event has an object of its own. What
/// remains the event list (pooled too) and, for binary batches, a block's two id strings: the blocks are read from the wire
/// straight into the pooled values, not as protobuf messages (308 bytes an event when they were).
/// </summary>
public sealed class DecodingAllocationTests(ITestOutputHelper output)
{
    private const int Devices = 100;
    private const int EventsPerDevice = 10;
    private const int Features = 38;

    [Fact]
    public void BinaryBatch_AllocatesOnlyEachBlocksIds()
    {
        var body = BinaryBatchDecoderTests.Batch([.. Enumerable.Range(0, Devices).Select(d => BinaryBatchDecoderTests.Block("fleet", $"d{d}", EventsPerDevice, Features))]);

        var perEvent = BytesPerEvent(() => BinaryBatchDecoder.Decode(body));

        output.WriteLine($"binary: {perEvent:F0} bytes per event (F={Features}, {EventsPerDevice} events per device block)");
        Assert.True(perEvent < 40, $"{perEvent:F0} bytes per event");
    }

    [Fact]
    public void Ndjson_AllocatesOnlyTheEventList()
    {
        var body = new StringBuilder();
        for (var d = 0; d < Devices; d++)
        {
            for (var seq = 0; seq < EventsPerDevice; seq++)
            {
                var values = string.Join(',', Enumerable.Range(0, Features).Select(f => (f + (seq / 10.0)).ToString(CultureInfo.InvariantCulture)));
                body.Append(CultureInfo.InvariantCulture, $"{{\"fleetId\":\"fleet\",\"deviceId\":\"d{d}\",\"ts\":1780000000000,\"seq\":{seq},\"values\":[{values}]}}\n");
            }
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToString());

        var perEvent = BytesPerEvent(() => TelemetryDecoder.Decode(bytes));

        output.WriteLine($"NDJSON: {perEvent:F0} bytes per event (F={Features})");
        Assert.True(perEvent < 160, $"{perEvent:F0} bytes per event");
    }

    // The least of five decodings after a first one: the value chunks come from the shared pool, which another test's
    // thread on the same core can empty meanwhile; one of the five finds them there, as a busy silo does.
    private static double BytesPerEvent(Func<DecodedBatch> decode)
    {
        decode().Dispose();
        var least = long.MaxValue;
        var events = 0;
        for (var i = 0; i < 5; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            using var batch = decode();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(Devices * EventsPerDevice, batch.Events.Count);
            Assert.Empty(batch.Rejections);
            events = batch.Events.Count;
        }

        return least / (double)events;
    }
}
