using System.Diagnostics;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// Measures a silo draining a backlog produced beforehand (Redis Streams entries, Kafka messages): from the moment every
/// warm-up entry is done until every entry is, with the silo's CPU time over the same span. What "done" means is the
/// peer's: acknowledged in the consumer group, committed by it.
/// </summary>
public static class SiloDrain
{
    public static async Task<IngestRun> MeasureAsync(
        string mode, SiloProcess silo, IngestWorkload workload, long warmupEntries, long entries, Func<Task<long>> doneEntries, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        async Task WaitForAsync(long wanted)
        {
            while (true)
            {
                var done = await doneEntries();
                if (done >= wanted)
                {
                    return;
                }

                if (Stopwatch.GetTimestamp() > deadline || silo.HasExited)
                {
                    throw new TimeoutException($"The silo was done with {done} of {wanted} entries within {timeout}:\n{Tail(silo.Output)}");
                }

                await Task.Delay(20);
            }
        }

        long EventsOf(long done) => Math.Max(0, done - warmupEntries) * workload.BatchEventsPerDevice;

        await WaitForAsync(warmupEntries);
        var cpu = silo.ProcessorTime;
        var gc = await silo.GcCountersAsync();
        await using var recorder = new ProgressRecorder(async () => EventsOf(await doneEntries()), TimeSpan.FromMilliseconds(250));
        await WaitForAsync(entries);
        var elapsed = recorder.Elapsed;
        return new IngestRun(
            mode, workload.MeasuredEvents, elapsed, silo.ProcessorTime - cpu, null, [.. recorder.Samples, (elapsed.TotalSeconds, workload.MeasuredEvents)],
            await silo.GcCountersAsync() - gc,
            await silo.RowsRefusedForScoringAsync());
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
