using System.Globalization;
using System.Text.RegularExpressions;

namespace FleetGrains.LocalServers;

/// <summary>The samples of one metric in a Prometheus text-format scrape (what <c>GET /metrics</c> answers).</summary>
public static partial class PrometheusScrape
{
    public static List<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string scrape, string metric) =>
        [.. scrape.Split('\n')
            .Select(line => SampleLine().Match(line.Trim()))
            .Where(m => m.Success && m.Groups["name"].Value == metric)
            .Select(m => ((IReadOnlyDictionary<string, string>)Label().Matches(m.Groups["labels"].Value)
                    .ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))];

    /// <summary>The sum of every sample of the metrics whose names start with <paramref name="prefix"/> (a counter's <c>_total</c> whatever its unit).</summary>
    public static double SumOf(string scrape, string prefix) =>
        scrape.Split('\n')
            .Select(line => SampleLine().Match(line.Trim()))
            .Where(m => m.Success && m.Groups["name"].Value.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Label();
}
