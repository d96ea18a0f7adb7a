using System.Diagnostics.Metrics;

namespace FleetGrains.Ingestion;

/// <summary>Counters of the ingestion pipeline. Tags are bounded: source and outcome, never a device id.</summary>
public sealed class IngestionMetrics
{
    public const string MeterName = "FleetGrains";
    public const string EventsCounter = "fleet-ingest-events";

    private readonly Counter<long> _events;

    public IngestionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(EventsCounter, unit: "{event}", description: "Telemetry events by source and outcome.");
    }

    public void Record(string source, IngestReport report)
    {
        Add(source, "accepted", report.Accepted);
        Add(source, "duplicate", report.Duplicates);
        Add(source, "rejected", report.Rejected);
        Add(source, "failed", report.Failed);
    }

    private void Add(string source, string outcome, int count)
    {
        if (count > 0)
        {
            _events.Add(count, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
