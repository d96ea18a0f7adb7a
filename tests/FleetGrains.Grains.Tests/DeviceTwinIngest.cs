using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Scoring;

namespace FleetGrains.Grains.Tests;

/// <summary>The tests write samples; the twin takes them as one block.</summary>
internal static class DeviceTwinIngest
{
    public static IngestOutcome Ingest(
        this DeviceTwin twin, TelemetrySample[] samples, DateTimeOffset now, DeviceOptions options, IAnomalyScorer? inlineScorer,
        WindowCapture? capture, List<HealthTransition> transitions) =>
        twin.Ingest(TelemetryBlock.Of(samples), now, options, inlineScorer, capture, transitions);
}
