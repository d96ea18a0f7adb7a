using System.Diagnostics;
using System.Runtime;

namespace FleetGrains.LoadTests.Density;

public static class HeapMeter
{
    /// <summary>Live managed bytes after full, compacting collections, and the resident set of the process.</summary>
    public static (long Heap, long Rss) Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}
