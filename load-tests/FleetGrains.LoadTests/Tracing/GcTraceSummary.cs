using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace FleetGrains.LoadTests.Tracing;

/// <summary>
/// What a process's garbage collector did, read from its EventPipe trace: collections per generation and
/// kind, every execution-engine suspension (the pauses the application sees) in a histogram, and the
/// allocation samples (one per ~100 KB allocated) summed per type and per heap (small, large, pinned objects),
/// the pauses again by the collection they served (a background collection's short suspensions count under it),
/// and what the young collections marked (<see cref="YoungCollectionMarks"/>).
/// </summary>
public sealed record GcTraceSummary(
    string Path,
    double Seconds,
    IReadOnlyDictionary<string, int> Collections,
    LatencyHistogram Pauses,
    double PausedMilliseconds,
    IReadOnlyDictionary<string, LatencyHistogram> PausesByCollection,
    IReadOnlyDictionary<string, double> AllocatedMegabytesByHeap,
    IReadOnlyList<(string Type, double Megabytes)> TopAllocatedTypes,
    YoungCollectionMarks YoungMarks)
{
    private const int TopTypes = 12;

    public double AllocatedMegabytes => AllocatedMegabytesByHeap.Values.Sum();

    public static GcTraceSummary Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No trace at {path}: the process did not write one (was it stopped gracefully?).", path);
        }

        var collections = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var pauses = new LatencyHistogram();
        var paused = 0.0;
        double? suspendedAt = null;
        string? collectionInPause = null;
        var pausesByCollection = new SortedDictionary<string, LatencyHistogram>(StringComparer.Ordinal);
        var byHeap = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var byType = new Dictionary<string, double>(StringComparer.Ordinal);
        var youngMarks = new YoungCollectionMarks();
        using var source = new EventPipeEventSource(path);
        youngMarks.Attach(source.Clr);
        source.Clr.GCStart += e =>
        {
            var key = $"gen{e.Depth} {e.Type}";
            collections[key] = collections.GetValueOrDefault(key) + 1;
            collectionInPause = key;
        };
        source.Clr.GCSuspendEEStart += e =>
        {
            suspendedAt = e.TimeStampRelativeMSec;
            collectionInPause = null;
        };
        source.Clr.GCRestartEEStop += e =>
        {
            if (suspendedAt is { } start)
            {
                var milliseconds = e.TimeStampRelativeMSec - start;
                pauses.Record(TimeSpan.FromMilliseconds(milliseconds));
                paused += milliseconds;
                var served = collectionInPause ?? "suspension without a collection start (background collection's end, or no collection)";
                if (!pausesByCollection.TryGetValue(served, out var histogram))
                {
                    pausesByCollection[served] = histogram = new LatencyHistogram();
                }

                histogram.Record(TimeSpan.FromMilliseconds(milliseconds));
                suspendedAt = null;
            }
        };
        source.Clr.GCAllocationTick += e =>
        {
            var megabytes = e.AllocationAmount64 / (1024.0 * 1024);
            var heap = e.AllocationKind switch
            {
                GCAllocationKind.Small => "small objects",
                GCAllocationKind.Large => "large objects",
                _ => "pinned objects",
            };
            byHeap[heap] = byHeap.GetValueOrDefault(heap) + megabytes;
            var type = string.IsNullOrEmpty(e.TypeName) ? "(unnamed)" : e.TypeName;
            byType[type] = byType.GetValueOrDefault(type) + megabytes;
        };
        source.Process();
        var seconds = source.SessionDuration.TotalSeconds;
        var top = byType.OrderByDescending(t => t.Value).Take(TopTypes).Select(t => (t.Key, t.Value)).ToList();
        return new GcTraceSummary(path, seconds, collections, pauses, paused, pausesByCollection, byHeap, top, youngMarks);
    }

    /// <summary>Markdown tables: collections and pauses, pauses by collection, what young collections marked, then the most allocated types.</summary>
    public string ToMarkdown(string run)
    {
        static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
        static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"GC trace of {run} ({Path}, {F(Seconds)} s of process life)");
        text.AppendLine();
        text.AppendLine("| collections | pauses | paused (ms) | share of time paused | pause p50 (ms) | p99 (ms) | max (ms) | allocated (MB) | of which large objects (MB) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var kinds = string.Join(", ", Collections.Select(c => $"{c.Key}: {c.Value}"));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {kinds} | {Pauses.Count} | {F(PausedMilliseconds)} | {PausedMilliseconds / 10 / Math.Max(Seconds, 1e-9):0.0} % | {Ms(Pauses.Percentile(50))} | {Ms(Pauses.Percentile(99))} | {Ms(Pauses.Max)} | {F(AllocatedMegabytes)} | {F(AllocatedMegabytesByHeap.GetValueOrDefault("large objects"))} |");
        text.AppendLine();
        text.AppendLine("| pauses of | count | paused (ms) | p50 (ms) | p99 (ms) | max (ms) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (collection, histogram) in PausesByCollection)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {collection} | {histogram.Count} | {F(histogram.Total.TotalMilliseconds)} | {Ms(histogram.Percentile(50))} | {Ms(histogram.Percentile(99))} | {Ms(histogram.Max)} |");
        }

        if (YoungMarks.Roots.Count > 0)
        {
            int gen0 = YoungMarks.Collections(0), gen1 = YoungMarks.Collections(1);
            var byRoot0 = YoungMarks.PerCollection(0).ToDictionary(r => r.Root);
            var byRoot1 = YoungMarks.PerCollection(1).ToDictionary(r => r.Root);
            string Cell(Dictionary<string, (string Root, double PromotedBytes, double MarkMilliseconds)> byRoot, string root) =>
                byRoot.TryGetValue(root, out var r) ? $"{F(r.PromotedBytes / (1024 * 1024))} | {F(r.MarkMilliseconds)}" : "– | –";

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"| marked from, per young collection | gen0 ({gen0}): kept alive (MB) | mark (ms) | gen1 ({gen1}): kept alive (MB) | mark (ms) |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var root in YoungMarks.Roots)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {root} | {Cell(byRoot0, root)} | {Cell(byRoot1, root)} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| most allocated types (sampled every ~100 KB) | MB | share |");
        text.AppendLine("|---|---:|---:|");
        foreach (var (type, megabytes) in TopAllocatedTypes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{type}` | {F(megabytes)} | {megabytes / Math.Max(AllocatedMegabytes, 1e-9):0.0 %} |");
        }

        return text.ToString();
    }
}
