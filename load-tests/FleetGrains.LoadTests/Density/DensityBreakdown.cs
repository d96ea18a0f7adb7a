using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Options;

namespace FleetGrains.LoadTests.Density;

/// <summary>Where a device's bytes go, each part measured on its own: an empty Orleans activation, and a twin without Orleans.</summary>
public sealed record DensityBreakdown(int Count, double EmptyActivationBytes, double TwinBytes, double DeviceGrainBytes)
{
    /// <summary>The device grain beyond an empty activation and its twin: its fields, persistent state, timers, its entry in its fleet shard.</summary>
    public double RestBytes => DeviceGrainBytes - EmptyActivationBytes - TwinBytes;

    public static async Task<DensityBreakdown> MeasureAsync(int count, int window, int features, int concurrency, double deviceGrainBytes)
    {
        double emptyActivation;
        await using (var silo = await ScenarioSilo.StartAsync())
        {
            await silo.Grains.GetGrain<IEmptyGrain>("warmup").TouchAsync();
            var before = HeapMeter.Settle().Heap;
            for (var first = 0; first < count; first += concurrency)
            {
                await Task.WhenAll(Enumerable.Range(first, Math.Min(concurrency, count - first)).Select(i => silo.Grains.GetGrain<IEmptyGrain>($"e{i:D7}").TouchAsync()));
            }

            emptyActivation = (HeapMeter.Settle().Heap - before) / (double)count;
        }

        var options = new DeviceOptions { WindowSize = window };
        var scorer = new StatisticalScorer(Options.Create(new StatisticalScorerOptions()));
        var sample = DensityScenario.Sample(features);
        var heapBefore = HeapMeter.Settle().Heap;
        var twins = new DeviceTwin[count];
        for (var i = 0; i < count; i++)
        {
            twins[i] = new DeviceTwin(window, features);
            twins[i].Ingest(TelemetryBlock.Of([sample]), DateTimeOffset.UtcNow, options, scorer, capture: null, transitions: []);
        }

        var twinBytes = (HeapMeter.Settle().Heap - heapBefore - ((long)IntPtr.Size * count)) / (double)count;
        GC.KeepAlive(twins);
        return new DensityBreakdown(count, emptyActivation, twinBytes, deviceGrainBytes);
    }
}
