using System.Text;
using BenchmarkDotNet.Attributes;
using FleetGrains.Ingestion;

namespace FleetGrains.Benchmarks;

/// <summary>Decoding an HTTP body of 1,000 NDJSON events (8 readings each); figures are per event.</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    public const int Events = 1000;
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var lines = Enumerable.Range(0, Events).Select(i =>
            $$"""{"fleetId":"pumps","deviceId":"pump-{{i % 100:D4}}","ts":{{1_700_000_000_000L + i}},"seq":{{i}},"values":[{{string.Join(',', Enumerable.Range(0, 8).Select(f => (f + (i * 0.01)).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}}]}""");
        _body = Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int DecodeNdjsonEvent()
    {
        var batch = TelemetryDecoder.Decode(_body);
        return batch.Events.Count == Events ? batch.Events.Count : throw new InvalidOperationException($"{batch.Rejections.Count} events were rejected.");
    }
}
