using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FleetGrains.Ingestion;

/// <summary>Counters of the ingestion pipeline. Tags are bounded: source and outcome, never a device id.</summary>
public sealed class IngestionMetrics
{
    public const string MeterName = "FleetGrains";
    public const string EventsCounter = "fleet-ingest-events";
    public const string LagGauge = "fleet-source-lag";
    public const string InFlightGauge = "fleet-ingest-in-flight";

    private readonly Counter<long> _events;
    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Source, int Partition), long> _lag = new();
    private readonly ConcurrentDictionary<string, FleetIngestTally> _byFleet = new(StringComparer.Ordinal);

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(EventsCounter, unit: "{event}", description: "Telemetry events by source and outcome.");
        meter.CreateObservableGauge(
            LagGauge,
            () => _lag.Select(l => new Measurement<long>(
                l.Value, new KeyValuePair<string, object?>("source", l.Key.Source), new KeyValuePair<string, object?>("partition", l.Key.Partition))),
            unit: "{entry}",
            description: "Entries of a partition not yet read by its consumer group, reported by the silo that reads it (what autoscaling follows).");
    }

    /// <summary>The lag of a partition this silo reads; null when Redis cannot tell it (the stream was trimmed past unread entries).</summary>
    public void SetLag(string source, int partition, long? lag)
    {
        if (lag is { } value)
        {
            _lag[(source, partition)] = value;
        }
        else
        {
            _lag.TryRemove((source, partition), out _);
        }
    }

    /// <summary>The events in flight on this silo (see <see cref="IngestionAdmission"/>), read at each collection.</summary>
    public void ObserveInFlight(Func<long> inFlight) =>
        _meter.CreateObservableGauge(InFlightGauge, inFlight, unit: "{event}", description: "Telemetry events sent to device grains and not yet answered, on this silo.");

    /// <summary>Events of a batch refused whole because the silo was at its in-flight bound (nothing of it applied).</summary>
    public void RecordRefused(string source, int count) => Add(source, "refused-busy", count);

    public void ForgetLag(string source, int partition) => _lag.TryRemove((source, partition), out _);

    public void Record(string source, IngestReport report)
    {
        Add(source, "accepted", report.Accepted);
        Add(source, "duplicate", report.Duplicates);
        Add(source, "rejected", report.Rejected);
        Add(source, "failed", report.Failed);
    }

    public void RecordDeadLettered(string source, int count) => Add(source, "dead-lettered", count);

    /// <summary>Adds <paramref name="delta"/> to what <paramref name="fleetId"/>'s events came to on this silo, until <see cref="TakeFleetTallies"/> reads it.</summary>
    public void RecordFleet(string fleetId, FleetIngestTally delta)
    {
        if (!delta.IsEmpty)
        {
            _byFleet.AddOrUpdate(fleetId, static (_, d) => d, static (_, tally, d) => tally + d, delta);
        }
    }

    /// <summary>Events of the fleet a source dead-lettered on this silo.</summary>
    public void RecordFleetDeadLettered(string fleetId, long count) => RecordFleet(fleetId, new FleetIngestTally(0, 0, 0, count));

    /// <summary>What each fleet's events came to on this silo since the last call (fleets with nothing are left out).</summary>
    public List<(string FleetId, FleetIngestTally Tally)> TakeFleetTallies()
    {
        var taken = new List<(string, FleetIngestTally)>();
        foreach (var fleetId in _byFleet.Keys)
        {
            if (_byFleet.TryRemove(fleetId, out var tally))
            {
                taken.Add((fleetId, tally));
            }
        }

        return taken;
    }

    private void Add(string source, string outcome, int count)
    {
        if (count > 0)
        {
            _events.Add(count, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}

/// <summary>A fleet's events on one silo over a while: accepted, how late valid ones arrived (sum and count), dead-lettered.</summary>
public readonly record struct FleetIngestTally(long Accepted, double LagMillisecondsSum, long LagCount, long DeadLettered)
{
    public bool IsEmpty => Accepted == 0 && LagCount == 0 && DeadLettered == 0;

    public static FleetIngestTally operator +(FleetIngestTally a, FleetIngestTally b) =>
        new(a.Accepted + b.Accepted, a.LagMillisecondsSum + b.LagMillisecondsSum, a.LagCount + b.LagCount, a.DeadLettered + b.DeadLettered);
}

/// <summary>
/// Sums consecutive tallies of one fleet and records each run once (<see cref="IngestionMetrics.RecordFleet"/>): a
/// batch's events and devices mostly come fleet by fleet, so a batch costs a dictionary update per run, not per event.
/// </summary>
public struct FleetTallyRuns(IngestionMetrics metrics)
{
    private string? _fleetId;
    private FleetIngestTally _tally;

    public void Add(string fleetId, FleetIngestTally delta)
    {
        if (!string.Equals(fleetId, _fleetId, StringComparison.Ordinal))
        {
            Flush();
            _fleetId = fleetId;
        }

        _tally += delta;
    }

    public void Flush()
    {
        if (_fleetId is not null)
        {
            metrics.RecordFleet(_fleetId, _tally);
        }

        (_fleetId, _tally) = (null, default);
    }
}
