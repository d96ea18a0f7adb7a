using FleetGrains.Ingestion;
using FleetGrains.Simulation;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Simulation;

/// <summary>
/// Feeds the simulated fleet through the same ingestion pipeline as every other source: each tick,
/// every device that is not silent sends one batch of samples. Sequence numbers are the sample
/// timestamps, so they keep increasing across restarts of the process.
/// </summary>
public sealed partial class FleetSimulator(
    IOptions<SimulatorOptions> options,
    TelemetryPipeline pipeline,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<FleetSimulator> logger) : BackgroundService
{
    private readonly SimulatorOptions _options = options.Value;

    public static IReadOnlyList<SimulatedDevice> CreateDevices(SimulatorOptions options)
    {
        var fleets = options.ParseFleets();
        var random = new Random(options.Seed);
        var faults = Enum.GetValues<FaultKind>().Where(f => f != FaultKind.None).ToArray();
        var devices = new List<SimulatedDevice>(options.Devices);
        for (var i = 0; i < options.Devices; i++)
        {
            var (fleetId, features) = fleets[i % fleets.Count];
            var fault = random.NextDouble() < options.FaultyFraction ? faults[random.Next(faults.Length)] : FaultKind.None;
            var onset = options.FaultOnsetMin + ((options.FaultOnsetMax - options.FaultOnsetMin) * random.NextDouble());
            devices.Add(new SimulatedDevice(fleetId, $"{fleetId}-{i / fleets.Count:D5}", features, fault, onset, options.Seed + i + 1));
        }

        return devices;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await WaitForApplicationStartedAsync(stoppingToken);
        var devices = CreateDevices(_options);
        LogStarted(logger, devices.Count, _options.Fleets, devices.Count(d => d.Fault != FaultKind.None));
        var start = time.GetUtcNow();
        using var timer = new PeriodicTimer(_options.TickInterval, time);
        do
        {
            using var batch = NextBatch(devices, time.GetUtcNow(), start);
            try
            {
                var report = await pipeline.IngestAsync(batch, source: "simulator");
                if (report.Rejected + report.Failed > 0)
                {
                    LogTickProblems(logger, report.Rejected, report.Failed, report.Errors[0].Reason);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogTickFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private DecodedBatch NextBatch(IReadOnlyList<SimulatedDevice> devices, DateTimeOffset now, DateTimeOffset start)
    {
        var batch = new DecodedBatch();
        var period = _options.TickInterval / _options.SamplesPerTick;
        var elapsed = now - start;
        foreach (var device in devices)
        {
            if (device.IsSilent(elapsed))
            {
                continue;
            }

            for (var j = _options.SamplesPerTick - 1; j >= 0; j--)
            {
                var ts = (now - (period * j)).ToUnixTimeMilliseconds();
                var values = device.Next(elapsed - (period * j), _options.DayLength);
                batch.Events.Add((batch.Events.Count, new TelemetryEvent(device.FleetId, device.DeviceId, ts, ts, values)));
            }
        }

        return batch;
    }

    private async Task WaitForApplicationStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var onStarted = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulating {Devices} devices in fleets {Fleets}; {Faulty} of them develop faults")]
    private static partial void LogStarted(ILogger logger, int devices, string fleets, int faulty);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator tick: {Rejected} events rejected, {Failed} failed; first: {Reason}")]
    private static partial void LogTickProblems(ILogger logger, int rejected, int failed, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulator tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
