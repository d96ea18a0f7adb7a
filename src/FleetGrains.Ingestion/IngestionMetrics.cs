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
    private readonly ConcurrentDictionary<string, long> _acceptedByFleet = new(StringComparer.Ordinal);

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

    /// <summary>Events of <paramref name="fleetId"/> its devices accepted on this silo, until <see cref="TakeAcceptedByFleet"/> reads them.</summary>
    public void RecordAccepted(string fleetId, int count)
    {
        if (count > 0)
        {
            _acceptedByFleet.AddOrUpdate(fleetId, count, (_, total) => total + count);
        }
    }

    /// <summary>The events accepted per fleet since the last call (fleets with none are left out).</summary>
    public List<(string FleetId, long Accepted)> TakeAcceptedByFleet()
    {
        var taken = new List<(string, long)>();
        foreach (var fleetId in _acceptedByFleet.Keys)
        {
            if (_acceptedByFleet.TryRemove(fleetId, out var accepted) && accepted > 0)
            {
                taken.Add((fleetId, accepted));
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
