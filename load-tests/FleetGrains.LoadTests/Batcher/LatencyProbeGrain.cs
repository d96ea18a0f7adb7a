using System.Diagnostics;
using FleetGrains.Abstractions;
using Orleans.Concurrency;

namespace FleetGrains.LoadTests.Batcher;

/// <summary>How a probe's requests reach the model host: straight to it, or through the silo's batcher as device grains do.</summary>
public enum ScoringPath
{
    Direct,
    Batcher,
}

/// <summary>Sends scoring requests at a fixed rate from inside the silo, as device grains do, and times each.</summary>
[Alias("FleetGrains.LoadTests.ILatencyProbeGrain")]
public interface ILatencyProbeGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Sends <paramref name="count"/> requests of one window, one every <paramref name="interval"/> from
    /// <paramref name="offset"/> on (so that probes do not send in step), without
    /// waiting for earlier answers (open loop), and returns each one's latency in ticks, in sending order
    /// (-1 for a request that failed, e.g. refused by a full queue).
    /// </summary>
    [Alias("Run")]
    Task<long[]> RunAsync(ScoringPath path, ModelRef model, float[] window, int count, TimeSpan interval, TimeSpan offset);
}

[Reentrant]
public sealed class LatencyProbeGrain : Grain, ILatencyProbeGrain
{
    public async Task<long[]> RunAsync(ScoringPath path, ModelRef model, float[] window, int count, TimeSpan interval, TimeSpan offset)
    {
        var request = new ScoringRequest(window, 1);
        var batcher = GrainFactory.GetGrain<IScoringBatcherGrain>(0);
        var host = GrainFactory.GetGrain<IModelHostGrain>(model.Key);
        var latencies = new long[count];
        var calls = new Task[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = offset + TimeSpan.FromTicks(interval.Ticks * i) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            calls[i] = TimeAsync(i, path == ScoringPath.Batcher ? () => batcher.ScoreAsync(model, request) : () => host.ScoreAsync(request));
        }

        await Task.WhenAll(calls);
        return latencies;

        async Task TimeAsync(int index, Func<Task<ScoringResult>> call)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                await call();
                latencies[index] = Stopwatch.GetElapsedTime(sent).Ticks;
            }
            catch (Exception)
            {
                latencies[index] = -1;
            }
        }
    }
}
