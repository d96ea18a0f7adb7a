using System.Diagnostics;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// Sends at a fixed rate whatever the answers take (open loop): the i-th call is due at start + i / rate and its
/// latency is counted from that moment, not from when it went out, so that a stalled server shows up in the
/// percentiles instead of slowing the load down (no coordinated omission).
/// </summary>
public static class OpenLoop
{
    public static async Task<LatencyHistogram> RunAsync(double perSecond, TimeSpan duration, Func<int, Task> call, LatencyTimeline? timeline = null, CancellationToken cancellationToken = default)
    {
        var histogram = new LatencyHistogram();
        var calls = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var count = (int)(duration.TotalSeconds * perSecond);
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = started + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            calls.Add(TimedAsync(i, due));
        }

        await Task.WhenAll(calls);
        return histogram;

        async Task TimedAsync(int i, long due)
        {
            await Task.Yield();
            await call(i);
            var latency = Stopwatch.GetElapsedTime(due);
            timeline?.Record(Stopwatch.GetElapsedTime(started, due), latency);
            lock (histogram)
            {
                histogram.Record(latency);
            }
        }
    }
}
