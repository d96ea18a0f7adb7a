using FleetGrains.Abstractions;
using Microsoft.Extensions.Hosting;

namespace FleetGrains.Ingestion;

/// <summary>
/// Tells each fleet's rollup, once a second, how many events per second this silo accepted for it (by every source),
/// so that a fleet's rate is the cluster's, whichever silo answers. One one-way call per fleet that had events.
/// </summary>
public sealed class FleetIngestRateReporter(IngestionMetrics metrics, IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var siloName = silo.SiloAddress.ToParsableString();
        using var timer = new PeriodicTimer(Interval, time);
        var last = time.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetTimestamp();
            var seconds = time.GetElapsedTime(last, now).TotalSeconds;
            last = now;
            foreach (var (fleetId, accepted) in metrics.TakeAcceptedByFleet())
            {
                grains.GetGrain<IFleetGrain>(fleetId).ReportIngestRateAsync(siloName, accepted / seconds).Ignore();
            }
        }
    }
}
