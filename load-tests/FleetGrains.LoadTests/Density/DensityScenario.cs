using System.Diagnostics;
using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;

namespace FleetGrains.LoadTests.Density;

/// <summary>The managed heap the devices activated so far have added (without a forced collection).</summary>
public sealed record HeapSample(int Devices, long HeapBytes);

/// <summary>Memory and activation rate for one fleet size.</summary>
public sealed record DensityResult(
    int Devices, int Window, int Features, double ActivationsPerSecond, long HeapBytes, long RssBytes,
    IReadOnlyList<HeapSample> Growth)
{
    /// <summary>The readings a device's window holds: W × F float32.</summary>
    public int WindowBytes => Window * Features * sizeof(float);

    public double HeapPerDevice => HeapBytes / (double)Devices;

    public double HeapBeyondWindow => HeapPerDevice - WindowBytes;

    public double RssPerDevice => RssBytes / (double)Devices;

    /// <summary>The fleet's device list, a page at a time, once every device is activated.</summary>
    public IReadOnlyList<PagingTiming> Paging { get; init; } = [];
}

/// <summary>
/// <c>density</c>: activates N device grains (each given one reading, so its twin and its W × F window
/// exist and it has reported to its fleet shard) in a fresh silo in this process, then reports the managed
/// heap and the process RSS they added per device — measured after full, compacting collections against
/// the same silo before the first device — and activations per second. State is not written during the
/// run (persist interval one hour): storage is Redis in production and not part of a device's memory.
/// </summary>
public sealed class DensityScenario : ILoadScenario
{
    public string Name => "density";

    public string Usage => """
        density [--devices 100000,1000000] [--window 32] [--features 8] [--concurrency 1000]
                managed heap and RSS per device grain beyond its window, and activations/s, for each fleet size
        """;

    public IReadOnlyCollection<string> Options => ["devices", "window", "features", "concurrency"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var sizes = arguments.PositiveInts("devices", arguments.Quick ? [20_000, 50_000] : [100_000, 1_000_000]);
        var window = arguments.PositiveInt("window", 32);
        var features = arguments.PositiveInt("features", 8);
        var concurrency = arguments.PositiveInt("concurrency", 1000);
        await progress.WriteLineAsync($"density: {string.Join(", ", sizes)} devices, window {window} × {features} features, {concurrency} calls in flight, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");

        var results = new List<DensityResult>();
        foreach (var devices in sizes)
        {
            results.Add(await MeasureAsync(devices, window, features, concurrency));
            var last = results[^1];
            await progress.WriteLineAsync($"  {devices} devices: {last.ActivationsPerSecond:0}/s, heap {last.HeapPerDevice:0} B per device ({last.HeapBeyondWindow:0} B beyond the window), RSS {last.RssPerDevice:0} B per device");
            await progress.WriteLineAsync($"  device list: {string.Join(", ", last.Paging.Select(p => $"{p.Query} {p.Milliseconds:0.0} ms"))}");
        }

        var probe = results.MinBy(r => Math.Abs(r.Devices - 50_000))!;
        var breakdown = await DensityBreakdown.MeasureAsync(probe.Devices, window, features, concurrency, probe.HeapPerDevice);
        await progress.WriteLineAsync($"  breakdown at {probe.Devices}: empty activation {breakdown.EmptyActivationBytes:0} B, twin {breakdown.TwinBytes:0} B, rest {breakdown.RestBytes:0} B");

        var chart = new SvgLineChart(
            "density-heap.svg", $"Managed heap while activating device grains (W={window}, F={features})", "devices activated", "managed heap added (MiB)",
            [.. results.Select(r => new ChartSeries($"{r.Devices:N0} devices", [.. r.Growth.Select(g => ((double)g.Devices, g.HeapBytes / 1048576.0))]))]);
        return new ScenarioReport(Table(results, breakdown), new { window, features, concurrency, serverGc = System.Runtime.GCSettings.IsServerGC, results, breakdown }, [chart]);
    }

    public static async Task<DensityResult> MeasureAsync(int devices, int window, int features, int concurrency)
    {
        await using var silo = await ScenarioSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Fleet:Devices:WindowSize"] = window.ToString(CultureInfo.InvariantCulture),
            ["Fleet:Devices:PersistInterval"] = "01:00:00",
        });
        var grains = silo.Grains;
        var sample = Sample(features); // immutable once sent: every device gets the same one
        await grains.GetGrain<IDeviceGrain>(FleetKeys.Device("warmup", "w0")).IngestAsync([sample]);
        var (heapBefore, rssBefore) = HeapMeter.Settle();

        var growth = new List<HeapSample>();
        var step = Math.Max(1, devices / 10);
        using var inFlight = new SemaphoreSlim(concurrency);
        var calls = new List<Task>(concurrency);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < devices; i++)
        {
            await inFlight.WaitAsync();
            calls.Add(IngestOneAsync(grains.GetGrainFast<IDeviceGrain>(FleetKeys.Device("density", $"d{i:D7}")), sample, inFlight));
            // A call releases its slot a moment before its task completes, so a sweep can leave the list nearly full:
            // sweeping at twice the calls in flight keeps the list bounded (it once grew by a task per device, counted
            // as the devices' heap) and the sweeps rare (at the limit itself, the driver scanned it for every device).
            if (calls.Count >= 2 * concurrency)
            {
                calls.RemoveAll(c => c.IsCompleted);
            }

            if ((i + 1) % step == 0)
            {
                growth.Add(new HeapSample(i + 1, GC.GetTotalMemory(forceFullCollection: false) - heapBefore));
            }
        }

        await Task.WhenAll(calls);
        calls.Clear();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (heapAfter, rssAfter) = HeapMeter.Settle();
        var paging = await DevicePagingProbe.MeasureAsync(silo, "density", devices, $"d{devices - 1:D7}");
        return new DensityResult(devices, window, features, devices / elapsed.TotalSeconds, heapAfter - heapBefore, rssAfter - rssBefore, growth) { Paging = paging };
    }

    private static async Task IngestOneAsync(IDeviceGrain device, TelemetrySample sample, SemaphoreSlim inFlight)
    {
        try
        {
            var outcome = await device.IngestAsync([sample]);
            if (outcome.Accepted != 1)
            {
                throw new InvalidOperationException($"A device did not accept its reading: {outcome}.");
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>The one reading each device gets: F values.</summary>
    public static TelemetrySample Sample(int features) =>
        new(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [.. Enumerable.Range(0, features).Select(f => (float)f)]);

    private static string Table(IReadOnlyList<DensityResult> results, DensityBreakdown breakdown)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Device density: one reading per device, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| devices | window (W × F) | window data (B) | activations/s | heap added (MiB) | heap per device (B) | beyond window (B) | RSS added per device (B) |");
        table.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Devices} | {r.Window} × {r.Features} | {r.WindowBytes} | {r.ActivationsPerSecond:0} | {r.HeapBytes / 1048576.0:0} | {r.HeapPerDevice:0} | {r.HeapBeyondWindow:0} | {r.RssPerDevice:0} |");
        }

        table.AppendLine();
        table.AppendLine("The fleet's device list, 50 devices a page, as the API and the dashboard ask it (median of three, in the silo):");
        table.AppendLine();
        table.AppendLine("| devices | query | ms | devices returned | matching |");
        table.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var r in results)
        {
            foreach (var p in r.Paging)
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Devices} | {p.Query} | {p.Milliseconds:0.0} | {p.Returned} | {p.Total} |");
            }
        }

        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Where a device's heap goes ({breakdown.Count} of each, measured separately):");
        table.AppendLine();
        table.AppendLine("| part | bytes per device |");
        table.AppendLine("|---|---:|");
        table.AppendLine(CultureInfo.InvariantCulture, $"| an Orleans activation of an empty grain (activation data, directory entry, messaging) | {breakdown.EmptyActivationBytes:0} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| the device twin after one reading, without Orleans (window, statistics, threshold, health) | {breakdown.TwinBytes:0} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| the rest of a device grain (grain fields, persistent state, timers, its entry in its fleet shard) | {breakdown.RestBytes:0} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| a device grain in all | {breakdown.DeviceGrainBytes:0} |");
        Targets.AppendHeader(table);
        var worst = results.MaxBy(r => r.HeapBeyondWindow)!;
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≤ 2 KiB per device beyond its window | {worst.HeapBeyondWindow:0} B (at {worst.Devices} devices) | {Targets.Verdict(worst.HeapBeyondWindow <= 2048)} |");
        var largest = results.MaxBy(r => r.Devices)!;
        var projected = largest.HeapPerDevice * 1_000_000 / (1L << 30);
        table.AppendLine(CultureInfo.InvariantCulture, $"| 1,000,000 devices in ≤ 4 GiB heap | {projected:0.00} GiB{(largest.Devices == 1_000_000 ? "" : $" (projected from {largest.Devices})")} | {Targets.Verdict(projected <= 4)} |");
        var slowest = results.MinBy(r => r.ActivationsPerSecond)!;
        table.AppendLine(CultureInfo.InvariantCulture, $"| ≥ 50,000 activations/s | {slowest.ActivationsPerSecond:0}/s (at {slowest.Devices} devices) | {Targets.Verdict(slowest.ActivationsPerSecond >= 50_000)} |");
        return table.ToString();
    }
}
