using FleetGrains.LocalServers;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// One measured ingest run: events applied in the wall time, the CPU time the server (the silo process, or this
/// process for the bare loop) and the load driver used for them, the server's garbage-collector counters over the
/// run, the rows its scoring refused (queues full: those samples were applied but not scored), and the cumulative events over time.
/// </summary>
public sealed record IngestRun(
    string Mode, long Events, TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan? DriverCpu, IReadOnlyList<(double Seconds, long Events)> Progress, GcCounters ServerGc,
    double RowsRefusedForScoring = 0)
{
    /// <summary>Bytes the server allocated per event (the runtime's allocated-bytes counter over the run).</summary>
    public double AllocatedBytesPerEvent => ServerGc.AllocatedBytes / Events;

    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    /// <summary>Server CPU seconds per million events.</summary>
    public double CpuSecondsPerMillion => ServerCpu.TotalSeconds * 1e6 / Events;

    public double? DriverCpuSecondsPerMillion => DriverCpu?.TotalSeconds * 1e6 / Events;
}
