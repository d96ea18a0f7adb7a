using System.Diagnostics;
using StackExchange.Redis;

namespace FleetGrains.LoadTests.Streams;

/// <summary>
/// The baseline of the <c>streams</c> scenario: a plain read-and-acknowledge loop over the same entries on the same
/// server — per partition, <c>XREADGROUP … COUNT n</c> then <c>XACK</c> of what was read, until nothing is left —
/// through its own consumer group, one loop per partition at once (as a silo reads its partitions).
/// </summary>
public static class BareStreamLoop
{
    public const string Group = "bare";

    /// <summary>Reads and acknowledges every entry of <paramref name="streams"/>; returns the entries and the time taken.</summary>
    public static async Task<(long Entries, TimeSpan Elapsed)> DrainAsync(IDatabase db, IReadOnlyList<string> streams, int readCount)
    {
        foreach (var stream in streams)
        {
            await db.StreamCreateConsumerGroupAsync(stream, Group, StreamPosition.Beginning, createStream: true);
        }

        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(streams.Select(async stream =>
        {
            var entries = 0L;
            while (true)
            {
                var read = await db.StreamReadGroupAsync(stream, Group, "reader", StreamPosition.NewMessages, readCount);
                if (read.Length == 0)
                {
                    return entries;
                }

                await db.StreamAcknowledgeAsync(stream, Group, [.. read.Select(e => e.Id)]);
                entries += read.Length;
            }
        }));
        return (counts.Sum(), Stopwatch.GetElapsedTime(started));
    }
}
