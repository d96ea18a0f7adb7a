using System.Collections.Concurrent;

namespace FleetGrains.Ingestion;

/// <summary>
/// The event lists of <see cref="DecodedBatch"/>es, kept for the next batch: a list of a request or a source's read
/// holds thousands of events (56 bytes each), so a fresh one per batch is a large-object allocation, and growing it
/// leaves its earlier arrays behind. A list comes back empty; a few are kept, none that grew past
/// <see cref="MaxKeptCapacity"/>.
/// </summary>
internal static class EventListPool
{
    private const int Kept = 64;
    private const int MaxKeptCapacity = 1 << 20;
    private static readonly ConcurrentQueue<List<(int Index, TelemetryEvent Event)>> Lists = new();

    public static List<(int Index, TelemetryEvent Event)> Rent() => Lists.TryDequeue(out var list) ? list : [];

    public static void Return(List<(int Index, TelemetryEvent Event)> list)
    {
        list.Clear(); // the events name pooled values and strings: nothing of a batch stays reachable from the pool
        if (list.Capacity <= MaxKeptCapacity && Lists.Count < Kept)
        {
            Lists.Enqueue(list);
        }
    }
}
