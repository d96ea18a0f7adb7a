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
    /// <summary>A silo's rate counts this long after its report; a silo that accepts nothing more for the fleet sends none.</summary>
    private static readonly TimeSpan RateLifetime = TimeSpan.FromSeconds(3);

    private readonly RollupOptions _options = options.Value;
    private readonly Dictionary<int, ShardSummary> _shards = [];
    private readonly Dictionary<string, (double EventsPerSecond, DateTimeOffset At)> _rates = new(StringComparer.Ordinal);

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

    public Task ReportIngestRateAsync(string silo, double eventsPerSecond)
    {
        _rates[silo] = (eventsPerSecond, time.GetUtcNow());
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
        return Task.FromResult(new FleetRollup(
            this.GetPrimaryKeyString(),
            _shards.Values.Sum(s => s.DeviceCount),
            counts,
            worst,
            _shards.Values.Sum(s => s.OfflineCount),
            offline,
            lastUpdated) { EventsPerSecond = CurrentRate() });
    }

    private double CurrentRate()
    {
        var now = time.GetUtcNow();
        var total = 0.0;
        foreach (var (silo, (rate, at)) in _rates)
        {
            if (now - at > RateLifetime)
            {
                _rates.Remove(silo);
            }
            else
            {
                total += rate;
            }
        }

        return total;
    }
}
