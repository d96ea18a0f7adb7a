using FleetGrains.LocalServers;
using System.Diagnostics;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Inference.Onnx;
using FleetGrains.Ingestion;
using Microsoft.Extensions.Options;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// The <b>bare</b> baseline: the same bodies through the same code — <see cref="TelemetryDecoder"/> (or the binary decoder),
/// <see cref="TelemetryValidator"/>, grouping by device, <see cref="DeviceTwin.Ingest"/> (window, statistics,
/// cadence) and the anomaly model through <see cref="OnnxModel"/> — in a plain loop in this process: no Orleans, no
/// HTTP, no batcher; a body's captured windows go to the model in one run. One thread per core, each with its own
/// devices (its share of the batch groups) and its own model session.
/// </summary>
public static class BareIngestLoop
{
    public static IngestRun Run(IngestWorkload workload, ModelRef model, int windowSize)
    {
        var devices = new DeviceOptions { WindowSize = windowSize };
        var validator = new TelemetryValidator(Options.Create(new IngestionOptions()), Options.Create(devices));
        var threads = Environment.ProcessorCount;
        var workers = Enumerable.Range(0, threads).Select(_ => new Worker(LoadModel(model), validator, devices, workload)).ToArray();
        Parallel.For(0, threads, t =>
        {
            for (var group = t; group < workload.Groups; group += threads)
            {
                workers[t].Apply(workload.WarmupBody(group));
            }
        });

        var bodies = workload.MeasuredBodies();
        GC.Collect();
        var accepted = 0L;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var gc = ThisProcessGc();
        var started = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var round = 0; round < workload.Rounds; round++)
            {
                for (var group = t; group < workload.Groups; group += threads)
                {
                    Interlocked.Add(ref accepted, workers[t].Apply(bodies[round][group]));
                }
            }
        });
        var elapsed = Stopwatch.GetElapsedTime(started);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        return accepted == workload.MeasuredEvents
            ? new IngestRun("bare", accepted, elapsed, used, null, [(0, 0), (elapsed.TotalSeconds, accepted)], ThisProcessGc() - gc)
            : throw new InvalidOperationException($"The bare loop accepted {accepted} of {workload.MeasuredEvents} events.");
    }

    // The counters the silo's /metrics shows, read from this process's runtime.
    private static GcCounters ThisProcessGc() => new(
        GC.GetTotalAllocatedBytes(precise: true),
        Enumerable.Range(0, GC.MaxGeneration + 1).Sum(GC.CollectionCount),
        GC.GetTotalPauseDuration().TotalSeconds);

    private static OnnxModel LoadModel(ModelRef model)
    {
        var options = new InferenceOptions { ModelDirectory = Path.Combine(AppContext.BaseDirectory, "models") };
        return OnnxModel.Load(model, new ModelFiles(Options.Create(options)).PathOf(model), SessionFactory.Standalone(options));
    }

    private sealed class Worker(OnnxModel model, TelemetryValidator validator, DeviceOptions options, IngestWorkload workload) : IDisposable
    {
        private readonly Dictionary<(string, string), DeviceTwin> _twins = [];
        private readonly List<HealthTransition> _transitions = [];

        public int Apply(byte[] body)
        {
            var now = DateTimeOffset.UtcNow;
            using var batch = workload.Decode(body);
            var events = batch.Events;
            using var groups = new DeviceGroups(events.Count);
            for (var position = 0; position < events.Count; position++)
            {
                var e = events[position].Event;
                if (validator.Validate(e, now) is { } reason)
                {
                    throw new InvalidOperationException($"The workload made an invalid event: {reason}");
                }

                groups.Add(position, e.FleetId!, e.DeviceId!, e.Values!.Value.Length);
            }

            // The same grouping, columns and blocks as the silo's pipeline (one width per device in this workload).
            groups.Seal();
            using var columns = new TelemetryColumns(groups.Samples, groups.Values);
            var accepted = 0;
            var scored = new List<(DeviceTwin Twin, WindowCapture Capture)>();
            var window = model.Description.Window;
            for (var device = 0; device < groups.Devices; device++)
            {
                var group = groups.FirstGroupOf(device);
                var block = columns.Append(groups.FeaturesOf(group), groups.PositionsOf(group), events);
                var twin = TwinOf(groups.DeviceIds(device), block.Features);
                var capture = new WindowCapture(window, twin.FeatureCount, expectedRows: block.Count);
                accepted += twin.Ingest(block, now, options, null, capture, _transitions).Accepted;
                if (capture.Rows > 0)
                {
                    scored.Add((twin, capture));
                }
            }

            if (scored.Count > 0)
            {
                // As a device grain does: each answer released once applied, each capture's memory given back after.
                var results = model.Run([.. scored.Select(s => s.Capture.RequestFor(window))]);
                for (var i = 0; i < scored.Count; i++)
                {
                    scored[i].Twin.ApplyModelScores(results[i], scored[i].Capture, options, _transitions);
                    results[i].Release();
                    scored[i].Capture.Dispose();
                }
            }

            _transitions.Clear();
            return accepted;
        }

        public void Dispose() => model.Dispose();

        private DeviceTwin TwinOf((string, string) key, int features)
        {
            if (!_twins.TryGetValue(key, out var twin))
            {
                twin = new DeviceTwin(options.WindowSize, features);
                twin.SwitchScorer(model.Description.Model.Key);
                twin.RequireModelWindow(model.Description.Window, options.WindowSize);
                _twins[key] = twin;
            }

            return twin;
        }
    }
}
