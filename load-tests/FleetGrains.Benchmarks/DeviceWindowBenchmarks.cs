using BenchmarkDotNet.Attributes;
using FleetGrains.Grains.Devices;

namespace FleetGrains.Benchmarks;

/// <summary>What a device grain does with every accepted reading: append it to its window (W = 32, F = 8) and update its statistics.</summary>
[MemoryDiagnoser]
public class DeviceWindowBenchmarks
{
    private readonly RingBuffer _window = new(32, 8);
    private readonly RunningStatistics _statistics = new(8);
    private readonly float[][] _readings = [.. Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 8).Select(f => (float)(f + Math.Sin(i))).ToArray())];
    private long _timestamp;

    [Benchmark]
    public int RingBufferAppend()
    {
        _timestamp++;
        _window.Append(_timestamp, _readings[_timestamp & 63]);
        return _window.Count;
    }

    [Benchmark]
    public long StatisticsUpdate()
    {
        _timestamp++;
        _statistics.Add(_readings[_timestamp & 63], outlierSigmas: 3.5);
        return _statistics.Count;
    }
}
