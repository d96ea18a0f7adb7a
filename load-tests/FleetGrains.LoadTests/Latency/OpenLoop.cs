using System.Diagnostics;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// Sends at a fixed rate whatever the answers take (open loop): the i-th call is due at start + i / rate and its
/// latency is counted from that moment, not from when it went out, so that a stalled server shows up in the
/// percentiles instead of slowing the load down (no coordinated omission).
/// </summary>
public static class OpenLoop
{
    /// <summary>Calls <paramref name="call"/> with <paramref name="first"/>, <paramref name="first"/> + 1, … at <paramref name="perSecond"/> for <paramref name="duration"/>.</summary>
    public static async Task<LatencyHistogram> RunAsync(double perSecond, TimeSpan duration, Func<int, Task> call, LatencyTimeline? timeline = null, int first = 0)
    {
        var byOutcome = await RunByOutcomeAsync(perSecond, duration, async i =>
        {
            await call(i);
            return true;
        }, timeline, first);
        return byOutcome.GetValueOrDefault(true) ?? new LatencyHistogram();
    }

    /// <summary>The same, with the latencies kept apart by what each call answered (accepted or refused, say).</summary>
    public static async Task<IReadOnlyDictionary<TOutcome, LatencyHistogram>> RunByOutcomeAsync<TOutcome>(
        double perSecond, TimeSpan duration, Func<int, Task<TOutcome>> call, LatencyTimeline? timeline = null, int first = 0)
        where TOutcome : notnull
    {
        var byOutcome = new Dictionary<TOutcome, LatencyHistogram>();
        var calls = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var count = (int)(duration.TotalSeconds * perSecond);
        for (var i = 0; i < count; i++)
        {
            var due = started + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            calls.Add(TimedAsync(first + i, due));
        }

        await Task.WhenAll(calls);
        return byOutcome;

        async Task TimedAsync(int i, long due)
        {
            await Task.Yield();
            var outcome = await call(i);
            var latency = Stopwatch.GetElapsedTime(due);
            timeline?.Record(Stopwatch.GetElapsedTime(started, due), latency);
            lock (byOutcome)
            {
                if (!byOutcome.TryGetValue(outcome, out var histogram))
                {
                    byOutcome[outcome] = histogram = new LatencyHistogram();
                }

                histogram.Record(latency);
            }
        }
    }
}
