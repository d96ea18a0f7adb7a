using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Fleets;

/// <summary>
/// A fleet's rollup: the merge of its shards' summaries. Shards push changes; on activation the fleet
/// pulls every shard once, so a fresh activation answers with current figures. Its state is derived,
/// so it is not persisted.
/// </summary>
public sealed class FleetGrain(IOptions<RollupOptions> options, TimeProvider time) : Grain, IFleetGrain
{
    /// <summary>A silo's report counts this long; a silo that takes nothing more for the fleet sends none.</summary>
    private static readonly TimeSpan ReportLifetime = TimeSpan.FromSeconds(3);

    private readonly RollupOptions _options = options.Value;
    private readonly Dictionary<int, ShardSummary> _shards = [];
    private readonly Dictionary<string, (FleetIngestReport Report, DateTimeOffset At)> _ingest = new(StringComparer.Ordinal);
    private readonly MinuteCounts _deadLettered = new(TimeSpan.FromHours(1));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var fleetId = this.GetPrimaryKeyString();
        var summaries = await Task.WhenAll(Enumerable.Range(0, _options.ShardsPerFleet).Select(shard =>
            GrainFactory.GetGrain<IFleetShardGrain>(FleetKeys.Shard(fleetId, shard)).GetSummaryAsync()));
        foreach (var summary in summaries)
        {
            _shards[summary.Shard] = summary;
        }
    }

    public Task ReportShardAsync(ShardSummary summary)
    {
        _shards[summary.Shard] = summary;
        return Task.CompletedTask;
    }

    public Task ReportIngestAsync(string silo, FleetIngestReport report)
    {
        var now = time.GetUtcNow();
        _ingest[silo] = (report, now);
        _deadLettered.Add(now, report.DeadLettered);
        return Task.CompletedTask;
    }

    public Task<FleetRollup> GetRollupAsync()
    {
        var counts = Enum.GetValues<HealthState>().ToDictionary(s => s, _ => 0);
        foreach (var summary in _shards.Values)
        {
            foreach (var (health, count) in summary.Counts)
            {
                counts[health] += count;
            }
        }

        var worst = _shards.Values.SelectMany(s => s.Worst)
            .Order(DeviceStatusOrdering.For(DeviceSortOrder.Severity))
            .Take(_options.WorstDevices)
            .ToList();
        var offline = _shards.Values.SelectMany(s => s.Offline)
            .Order(DeviceStatusOrdering.For(DeviceSortOrder.LastSeen))
            .Take(_options.MaxOfflineListed)
            .ToList();
        var lastUpdated = _shards.Values.Max(s => s.LastUpdated);
        var now = time.GetUtcNow();
        var current = CurrentReports(now);
        return Task.FromResult(new FleetRollup(
            this.GetPrimaryKeyString(),
            _shards.Values.Sum(s => s.DeviceCount),
            counts,
            worst,
            _shards.Values.Sum(s => s.OfflineCount),
            offline,
            lastUpdated) with
        {
            EventsPerSecond = current.Sum(r => r.EventsPerSecond),
            ArrivalLagSeconds = ArrivalLag(current),
            DeadLetteredLastHour = _deadLettered.Total(now),
        });
    }

    private List<FleetIngestReport> CurrentReports(DateTimeOffset now)
    {
        var current = new List<FleetIngestReport>();
        foreach (var (silo, (report, at)) in _ingest)
        {
            if (now - at > ReportLifetime)
            {
                _ingest.Remove(silo);
            }
            else
            {
                current.Add(report);
            }
        }

        return current;
    }

    // The silos' mean lags weighted by their rates (a silo that only rejected or saw duplicates counts once).
    private static double? ArrivalLag(List<FleetIngestReport> reports)
    {
        var lagged = reports.Where(r => r.ArrivalLagSeconds is not null).ToList();
        if (lagged.Count == 0)
        {
            return null;
        }

        var weights = lagged.Sum(r => Math.Max(r.EventsPerSecond, 1));
        return lagged.Sum(r => r.ArrivalLagSeconds!.Value * Math.Max(r.EventsPerSecond, 1)) / weights;
    }
}
