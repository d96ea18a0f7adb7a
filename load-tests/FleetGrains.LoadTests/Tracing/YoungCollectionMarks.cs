using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace FleetGrains.LoadTests.Tracing;

/// <summary>
/// Why young collections (gen0, gen1) take as long as they do: for each kind of root the collector marks
/// from — thread stacks, GC handles, older generations (objects there that point at young ones, found through
/// the card table), the finalization queue — the bytes it kept alive and the time marking from it took.
/// The runtime reports each kind per heap as it finishes marking it (GCMarkWithType); the time of a kind is
/// the gap since the previous report of that heap (or the collection's start), averaged over the heaps,
/// which mark in parallel.
/// </summary>
public sealed class YoungCollectionMarks
{
    private readonly Dictionary<(int Generation, string Root), (double PromotedBytes, double MarkMilliseconds)> _total = [];
    private readonly Dictionary<string, (double PromotedBytes, double MarkMilliseconds)> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double> _lastMarkAtByHeap = [];
    private readonly int[] _collections = new int[2];
    private int _generation = 2;
    private double _startedAt;

    /// <summary>How many collections of <paramref name="generation"/> (0 or 1) were seen.</summary>
    public int Collections(int generation) => _collections[generation];

    /// <summary>
    /// For each root kind (in the order first seen), the bytes kept alive and the mark time per collection
    /// of <paramref name="generation"/>, averaged over its collections.
    /// </summary>
    public IReadOnlyList<(string Root, double PromotedBytes, double MarkMilliseconds)> PerCollection(int generation) =>
        [.. _total.Where(r => r.Key.Generation == generation)
            .Select(r => (r.Key.Root, r.Value.PromotedBytes / _collections[generation], r.Value.MarkMilliseconds / _collections[generation]))];

    /// <summary>Every root kind seen in young collections, in the order first seen.</summary>
    public IReadOnlyList<string> Roots => [.. _total.Keys.Select(k => k.Root).Distinct()];

    public void Attach(ClrTraceEventParser clr)
    {
        clr.GCStart += e =>
        {
            _generation = e.Depth;
            _startedAt = e.TimeStampRelativeMSec;
            _current.Clear();
            _lastMarkAtByHeap.Clear();
        };
        clr.GCMarkWithType += e =>
        {
            if (_generation >= 2)
            {
                return;
            }

            var root = RootName(e.Type);
            var since = _lastMarkAtByHeap.GetValueOrDefault(e.HeapNum, _startedAt);
            _lastMarkAtByHeap[e.HeapNum] = e.TimeStampRelativeMSec;
            var (promoted, milliseconds) = _current.GetValueOrDefault(root);
            _current[root] = (promoted + e.Promoted, milliseconds + (e.TimeStampRelativeMSec - since));
        };
        clr.GCStop += _ =>
        {
            if (_generation >= 2)
            {
                return;
            }

            _collections[_generation]++;
            var heaps = Math.Max(1, _lastMarkAtByHeap.Count);
            foreach (var (root, (promoted, milliseconds)) in _current)
            {
                var (totalPromoted, totalMilliseconds) = _total.GetValueOrDefault((_generation, root));
                _total[(_generation, root)] = (totalPromoted + promoted, totalMilliseconds + (milliseconds / heaps));
            }

            _generation = 2;
        };
    }

    private static string RootName(int type) => (MarkRootType)type switch
    {
        MarkRootType.MarkStack => "thread stacks",
        MarkRootType.MarkFQ or MarkRootType.MarkNewFQ => "finalization queue",
        MarkRootType.MarkHandles or MarkRootType.MarkDependentHandles or MarkRootType.MarkSizedRef => "GC handles",
        MarkRootType.MarkOlder => "older generations (cards)",
        MarkRootType.MarkOverflow => "mark stack overflow",
        MarkRootType.MarkSteal => "work stealing between heaps",
        _ => $"other roots ({type})",
    };
}
