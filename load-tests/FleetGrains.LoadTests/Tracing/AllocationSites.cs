using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace FleetGrains.LoadTests.Tracing;

/// <summary>
/// Where a process allocated, from the stacks of its allocation samples (one per ~100 KB): per type, the first
/// frame outside the base library (what asked for the memory) and the first FleetGrains frame below it (whose
/// work it was). Resolving the frames needs the runtime's method-load events in the trace (see <see cref="SiloTrace"/>).
/// </summary>
public sealed record AllocationSites(double SampledMegabytes, IReadOnlyList<(string Type, string Site, string Work, double Megabytes)> Top)
{
    private const int TopSites = 15;

    public static AllocationSites Read(string path)
    {
        var etlx = TraceLog.CreateFromEventPipeDataFile(path);
        try
        {
            using var log = new TraceLog(etlx);
            var bySite = new Dictionary<(string, string, string), double>();
            var total = 0.0;
            foreach (var allocation in log.Events.ByEventType<GCAllocationTickTraceData>())
            {
                var megabytes = allocation.AllocationAmount64 / (1024.0 * 1024);
                total += megabytes;
                string? site = null, work = null;
                for (var frame = allocation.CallStack(); frame is not null && work is null; frame = frame.Caller)
                {
                    var method = frame.CodeAddress.FullMethodName;
                    if (string.IsNullOrEmpty(method))
                    {
                        continue;
                    }

                    site ??= method.StartsWith("System.", StringComparison.Ordinal) ? null : Shorten(method);
                    work = method.StartsWith("FleetGrains.", StringComparison.Ordinal) ? Shorten(method) : null;
                }

                var key = (allocation.TypeName ?? "(unnamed)", site ?? "(base library only)", work ?? "–");
                bySite[key] = bySite.GetValueOrDefault(key) + megabytes;
            }

            return new AllocationSites(total, [.. bySite.OrderByDescending(s => s.Value).Take(TopSites).Select(s => (s.Key.Item1, s.Key.Item2, s.Key.Item3, s.Value))]);
        }
        finally
        {
            File.Delete(etlx);
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| most allocating sites (sampled every ~100 KB) | first frame outside the base library | FleetGrains work | MB | share |");
        text.AppendLine("|---|---|---|---:|---:|");
        foreach (var (type, site, work, megabytes) in Top)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{type}` | `{site}` | `{work}` | {megabytes:0.0} | {megabytes / Math.Max(SampledMegabytes, 1e-9):0.0 %} |");
        }

        return text.ToString();
    }

    // Namespace and parameter list off: the type and method are what a reader looks for.
    private static string Shorten(string method)
    {
        var name = method.Split('(', 2)[0].Replace("..ctor", ".ctor", StringComparison.Ordinal).Replace("..cctor", ".cctor", StringComparison.Ordinal);
        var parts = name.Split('.');
        return parts.Length > 2 ? string.Join('.', parts[^2..]) : name;
    }
}
