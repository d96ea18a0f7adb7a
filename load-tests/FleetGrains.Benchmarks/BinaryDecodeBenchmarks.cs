using BenchmarkDotNet.Attributes;
using FleetGrains.Ingestion;
using FleetGrains.Ingestion.Binary;

namespace FleetGrains.Benchmarks;

/// <summary>
/// Decoding a binary batch shaped as the <c>ingest</c> scenario's HTTP bodies (500 devices × 10 events, 38 readings);
/// figures are per event. The baseline is protobuf's generated parser alone, which the decoder used before it read
/// the wire itself (and then still copied the values into the batch).
/// </summary>
[MemoryDiagnoser]
public class BinaryDecodeBenchmarks
{
    private const int Devices = 500;
    private const int EventsPerDevice = 10;
    private const int Features = 38;
    private const int Events = Devices * EventsPerDevice;
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var batch = new TelemetryBatch();
        for (var d = 0; d < Devices; d++)
        {
            var block = new DeviceBlock { FleetId = "ingest", DeviceId = $"ingest-{d:D6}", Features = Features };
            for (var i = 0; i < EventsPerDevice; i++)
            {
                block.Seq.Add(i);
                block.Ts.Add(1_780_000_000_000 + (i * 1000));
                for (var f = 0; f < Features; f++)
                {
                    block.Values.Add((d * 0.001f) + (i * 0.1f) + f);
                }
            }

            batch.Devices.Add(block);
        }

        _body = Google.Protobuf.MessageExtensions.ToByteArray(batch);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public int ParseWithGeneratedParser() => TelemetryBatch.Parser.ParseFrom(_body).Devices.Count;

    [Benchmark(OperationsPerInvoke = Events)]
    public int DecodeBinaryEvent()
    {
        using DecodedBatch batch = BinaryBatchDecoder.Decode(_body);
        return batch.Events.Count == Events ? batch.Events.Count : throw new InvalidOperationException($"{batch.Rejections.Count} events were rejected.");
    }
}
