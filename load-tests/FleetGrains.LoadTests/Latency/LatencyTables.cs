using System.Globalization;
using System.Text;
using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Latency;

/// <summary>The tables the latency and overload runs print: latencies per kind of call, and the silo's collections during the measured load.</summary>
internal static class LatencyTables
{
    public static double Ms(LatencyHistogram h, double percentile) => h.Percentile(percentile).TotalMilliseconds;

    public static void AppendMeasures(StringBuilder table, IEnumerable<(string Name, LatencyHistogram Histogram)> measures)
    {
        table.AppendLine("| measure | count | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, h) in measures)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {h.Count} | {Ms(h, 50):0.0} | {Ms(h, 99):0.0} | {Ms(h, 99.9):0.0} | {h.Max.TotalMilliseconds:0.0} |");
        }
    }

    public static void AppendGc(StringBuilder table, GcCounters gc, TimeSpan duration)
    {
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture,
            $"Silo collections during the measured {duration.TotalSeconds:0} s: {gc.Collections:0}, paused {gc.PauseSeconds * 1000:0} ms in all ({gc.PauseSeconds / duration.TotalSeconds:0.0%} of the time), {gc.MeanPauseMilliseconds:0.0} ms a pause on average; {gc.AllocatedBytes / 1e6 / duration.TotalSeconds:0} MB/s allocated.");
    }
}
