using FleetGrains.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetGrains.Ingestion;

/// <summary>
/// Tells each fleet's rollup, once a second, what this silo took for it (by every source): events accepted per second,
/// how late they arrived, events dead-lettered; so that a fleet's figures are the cluster's, whichever silo answers.
/// One one-way call per fleet that had events.
/// </summary>
public sealed partial class FleetIngestReporter(
    IngestionMetrics metrics, IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time, ILogger<FleetIngestReporter> logger) : BackgroundService
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
            foreach (var (fleetId, tally) in metrics.TakeFleetTallies())
            {
                var report = new FleetIngestReport(
                    tally.Accepted / seconds,
                    tally.LagCount == 0 ? null : tally.LagMillisecondsSum / tally.LagCount / 1000,
                    tally.DeadLettered);
                try
                {
                    grains.GetGrain<IFleetGrain>(fleetId).ReportIngestAsync(siloName, report).Ignore();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A figure for the dashboard: lost for this second (the silo is starting or stopping), never worth the host.
                    LogNotReported(logger, ex, fleetId);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The ingestion figures of fleet {Fleet} for the last second could not be reported")]
    private static partial void LogNotReported(ILogger logger, Exception exception, string fleet);
}
