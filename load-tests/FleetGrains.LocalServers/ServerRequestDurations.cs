using System.Globalization;

namespace FleetGrains.LocalServers;

/// <summary>
/// How long a silo's own handlers took, from ASP.NET Core's <c>http.server.request.duration</c> histogram on its
/// <c>/metrics</c> (per route and status code): the time from the request's start in the server to its answer, so
/// beside the client's figures it says whether a wait was inside the silo or before it (sockets, the client).
/// Percentiles are bucket edges (the histogram's resolution: 5, 10, 25, 50, 75, 100, 250, 500, 750 ms, 1, 2.5 s …).
/// </summary>
public sealed class ServerRequestDurations
{
    private const string Metric = "http_server_request_duration_seconds_bucket";
    private readonly Dictionary<(string Route, string Status), SortedDictionary<double, double>> _buckets;

    private ServerRequestDurations(Dictionary<(string Route, string Status), SortedDictionary<double, double>> buckets) => _buckets = buckets;

    public static ServerRequestDurations Parse(string scrape)
    {
        var buckets = new Dictionary<(string, string), SortedDictionary<double, double>>();
        foreach (var (labels, value) in PrometheusScrape.Samples(scrape, Metric))
        {
            var key = (labels.GetValueOrDefault("http_route", ""), labels.GetValueOrDefault("http_response_status_code", ""));
            if (!buckets.TryGetValue(key, out var cumulative))
            {
                buckets[key] = cumulative = [];
            }

            var edge = labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(labels["le"], CultureInfo.InvariantCulture);
            cumulative[edge] = cumulative.GetValueOrDefault(edge) + value;
        }

        return new ServerRequestDurations(buckets);
    }

    public static ServerRequestDurations operator -(ServerRequestDurations after, ServerRequestDurations before) => new(
        after._buckets.ToDictionary(
            b => b.Key,
            b => new SortedDictionary<double, double>(b.Value.ToDictionary(e => e.Key, e => e.Value - (before._buckets.GetValueOrDefault(b.Key)?.GetValueOrDefault(e.Key) ?? 0)))));

    /// <summary>The requests answered on <paramref name="route"/> with <paramref name="status"/>.</summary>
    public double Count(string route, int status) =>
        _buckets.TryGetValue((route, status.ToString(CultureInfo.InvariantCulture)), out var b) ? b.GetValueOrDefault(double.PositiveInfinity) : 0;

    /// <summary>The upper edge, in milliseconds, of the bucket holding the <paramref name="percentile"/>th request; null when there was none.</summary>
    public double? PercentileMilliseconds(string route, int status, double percentile)
    {
        if (!_buckets.TryGetValue((route, status.ToString(CultureInfo.InvariantCulture)), out var cumulative) || cumulative.GetValueOrDefault(double.PositiveInfinity) <= 0)
        {
            return null;
        }

        var rank = percentile / 100 * cumulative[double.PositiveInfinity];
        return cumulative.First(e => e.Value >= rank).Key * 1000;
    }
}
