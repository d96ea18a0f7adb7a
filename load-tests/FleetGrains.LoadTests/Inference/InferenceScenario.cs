using System.Diagnostics;
using System.Globalization;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.LoadTests.Batcher;

namespace FleetGrains.LoadTests.Inference;

/// <summary>
/// Rows per second of one model at one batch size: as a raw session loop, straight to the model host grain,
/// and through the system (the batcher, then the model host) as device grains score.
/// </summary>
public sealed record BatchThroughput(int BatchSize, double RawRowsPerSecond, double HostRowsPerSecond, double SystemRowsPerSecond)
{
    public double SystemOverRaw => SystemRowsPerSecond / RawRowsPerSecond;
}

/// <summary>One model's throughput at every batch size, and the gain of batching over batch 1 on each path.</summary>
public sealed record ModelThroughput(ModelRef Model, ModelKind Kind, int Window, int Features, IReadOnlyList<BatchThroughput> Batches)
{
    public double RawGain(BatchThroughput batch) => batch.RawRowsPerSecond / Batches[0].RawRowsPerSecond;

    public double SystemGain(BatchThroughput batch) => batch.SystemRowsPerSecond / Batches[0].SystemRowsPerSecond;
}

/// <summary>
/// <c>inference</c>: rows/s of every committed model at each batch size, (a) through the system — a caller
/// sends requests of that many rows to the silo's scoring batcher, which hands them to the model host
/// (grain calls, batching, one ONNX Runtime run per batch) — and (b) as a raw ONNX Runtime session loop
/// on the same session options, in the same run. One caller, closed loop, on both paths, so the ratio is
/// what the system costs per request. Then the latency the batcher adds at a fixed load.
/// </summary>
public sealed class InferenceScenario : ILoadScenario
{
    public static readonly IReadOnlyList<int> DefaultBatchSizes = [1, 8, 64, 256, 1024, 4096];

    public string Name => "inference";

    public string Usage => """
        inference [--models id@v,…] [--batches 1,8,64,256,1024,4096] [--seconds 2] [--load 2000] [--provider Cpu|Cuda]
                rows/s of each committed model at each batch size, through the batcher and model host and as a raw
                ONNX Runtime session loop (ratios system/raw and batched/batch-1), and the batcher's added latency
        """;

    public IReadOnlyCollection<string> Options => ["models", "batches", "seconds", "load", "provider"];

    public async Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress)
    {
        var models = arguments.Text("models") is { } list
            ? [.. list.Split(',').Select(ModelRef.Parse)]
            : CommittedModels(arguments.Quick);
        var batches = arguments.PositiveInts("batches", DefaultBatchSizes);
        var duration = TimeSpan.FromSeconds(arguments.PositiveNumber("seconds", arguments.Quick ? 0.25 : 2));
        var load = arguments.PositiveInt("load", 2000);
        var provider = arguments.Text("provider") is { } p
            ? Enum.TryParse<ExecutionProvider>(p, ignoreCase: true, out var parsed) ? parsed : throw new ArgumentException($"--provider takes Cpu, Cuda or TensorRt, got '{p}'.")
            : ExecutionProvider.Cpu;

        await using var silo = await ScenarioSilo.StartAsync(new Dictionary<string, string?> { ["Fleet:Inference:ExecutionProvider"] = provider.ToString() });
        var sessions = silo.Service<SessionFactory>();
        await progress.WriteLineAsync($"inference: {models.Count} model(s), batch sizes {string.Join(", ", batches)}, {duration.TotalSeconds:0.##} s per measurement, provider {sessions.Status.Active}");
        var throughputs = new List<ModelThroughput>();
        foreach (var model in models)
        {
            throughputs.Add(await MeasureModelAsync(silo, sessions, model, batches, duration, progress));
        }

        var autoencoder = models.FirstOrDefault(m => throughputs.First(t => t.Model == m).Kind == ModelKind.WindowAutoencoder) ?? models[0];
        var latencyOptions = BatcherLatencyOptions.Quick with { Model = autoencoder, Loads = [load], Duration = arguments.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5) };
        var latency = (await BatcherLatencyScenario.RunAsync(silo, latencyOptions, progress)).Single();

        return new ScenarioReport(
            Table(throughputs, latency, sessions.Status.Active, duration),
            new { provider = sessions.Status.Active, seconds = duration.TotalSeconds, models = throughputs.Select(Figures), batcherLatency = latency },
            [Chart(throughputs)]);
    }

    /// <summary>Every model file beside the suite (version 1 of each); the quick run takes one autoencoder and one RUL model.</summary>
    public static IReadOnlyList<ModelRef> CommittedModels(bool quick)
    {
        var all = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "models"), "*.onnx")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => !name!.Contains(".v", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => new ModelRef(name!, 1))
            .ToList();
        return quick
            ? [.. new[] { all.FirstOrDefault(m => m.Id.EndsWith("-autoencoder", StringComparison.Ordinal)), all.FirstOrDefault(m => m.Id.EndsWith("-rul", StringComparison.Ordinal)) }.OfType<ModelRef>()]
            : all;
    }

    private static async Task<ModelThroughput> MeasureModelAsync(ScenarioSilo silo, SessionFactory sessions, ModelRef model, IReadOnlyList<int> batches, TimeSpan duration, TextWriter progress)
    {
        var description = (await silo.Grains.GetGrain<IModelHostGrain>(model.Key).GetStatusAsync()).Description;
        var width = description.Window * description.Features;
        var row = Row(width);
        using var raw = new RawSessionLoop(sessions.Create(silo.Service<ModelFiles>().PathOf(model)), width);
        var batcher = silo.Grains.GetGrain<IScoringBatcherGrain>(0);
        var host = silo.Grains.GetGrain<IModelHostGrain>(model.Key);
        var results = new List<BatchThroughput>();
        foreach (var size in batches)
        {
            var rawRate = raw.RowsPerSecond(size, duration, row);
            var hostRate = await GrainRowsPerSecondAsync(host.ScoreAsync, model, size, duration, row);
            var systemRate = await GrainRowsPerSecondAsync(request => batcher.ScoreAsync(model, request), model, size, duration, row);
            results.Add(new BatchThroughput(size, rawRate, hostRate, systemRate));
            await progress.WriteLineAsync($"  {model} × {size}: raw {rawRate:0} rows/s, model host {hostRate:0} rows/s, system {systemRate:0} rows/s");
        }

        return new ModelThroughput(model, description.Kind, description.Window, description.Features, results);
    }

    private static async Task<double> GrainRowsPerSecondAsync(Func<ScoringRequest, Task<ScoringResult>> score, ModelRef model, int rows, TimeSpan duration, float[] row)
    {
        var windows = new float[rows * row.Length];
        for (var r = 0; r < rows; r++)
        {
            row.CopyTo(windows, r * row.Length);
        }

        var request = new ScoringRequest(windows, rows);
        await score(request); // warm-up
        var calls = 0L;
        var started = Stopwatch.GetTimestamp();
        TimeSpan elapsed;
        do
        {
            var result = await score(request);
            if (result.Rows != rows)
            {
                throw new InvalidOperationException($"{model} answered {result.Rows} rows for {rows}.");
            }

            calls++;
            elapsed = Stopwatch.GetElapsedTime(started);
        }
        while (elapsed < duration);

        return calls * rows / elapsed.TotalSeconds;
    }

    private static string Table(IReadOnlyList<ModelThroughput> models, LoadResult latency, ExecutionProvider provider, TimeSpan duration)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Inference throughput (rows/s), one caller, closed loop, {duration.TotalSeconds:0.##} s per figure, provider {provider}; {MachineInfo.Describe()}");
        table.AppendLine();
        table.AppendLine("| model | kind | batch | raw rows/s | model host rows/s | system rows/s | system/raw | raw batched/batch-1 | system batched/batch-1 |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var model in models)
        {
            foreach (var batch in model.Batches)
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"| {model.Model} | {model.Kind} | {batch.BatchSize} | {batch.RawRowsPerSecond:0} | {batch.HostRowsPerSecond:0} | {batch.SystemRowsPerSecond:0} | {batch.SystemOverRaw:0.00} | {model.RawGain(batch):0.0} | {model.SystemGain(batch):0.0} |");
            }
        }

        Targets.AppendHeader(table);
        foreach (var model in models.Where(m => m.Kind == ModelKind.WindowAutoencoder))
        {
            var bestRaw = model.Batches.MaxBy(model.RawGain)!;
            var bestSystem = model.Batches.MaxBy(model.SystemGain)!;
            table.AppendLine(CultureInfo.InvariantCulture, $"| {model.Model}: batched ≥ 15× batch-1 | raw {model.RawGain(bestRaw):0.0}× (batch {bestRaw.BatchSize}), system {model.SystemGain(bestSystem):0.0}× (batch {bestSystem.BatchSize}) | {Targets.Verdict(model.RawGain(bestRaw) >= 15 && model.SystemGain(bestSystem) >= 15)} |");
        }

        foreach (var model in models)
        {
            var large = model.Batches.Where(b => b.BatchSize >= 256).ToList();
            if (large.Count > 0)
            {
                var worst = large.MinBy(b => b.SystemOverRaw)!;
                table.AppendLine(CultureInfo.InvariantCulture, $"| {model.Model}: system ≥ 0.8× raw at batch ≥ 256 | lowest {worst.SystemOverRaw:0.00} (batch {worst.BatchSize}) | {Targets.Verdict(worst.SystemOverRaw >= 0.8)} |");
            }
        }

        table.AppendLine(CultureInfo.InvariantCulture, $"| batcher adds ≤ 5 ms at p99 ({latency.Load} one-row requests/s, {latency.Batcher.Sent} sent) | p50 +{BatcherLatencyScenario.Ms(latency.AddedP50)} ms, p99 +{BatcherLatencyScenario.Ms(latency.AddedP99)} ms | {Targets.Verdict(latency.AddedP99 <= TimeSpan.FromMilliseconds(5))} |");
        return table.ToString();
    }

    private static object Figures(ModelThroughput model) => new
    {
        model = model.Model.Key,
        model.Kind,
        model.Window,
        model.Features,
        batches = model.Batches.Select(b => new { b.BatchSize, b.RawRowsPerSecond, b.HostRowsPerSecond, b.SystemRowsPerSecond, b.SystemOverRaw, rawGain = model.RawGain(b), systemGain = model.SystemGain(b) }),
    };

    private static SvgLineChart Chart(IReadOnlyList<ModelThroughput> models)
    {
        var shown = new[] { models.FirstOrDefault(m => m.Kind == ModelKind.WindowAutoencoder), models.FirstOrDefault(m => m.Kind != ModelKind.WindowAutoencoder) }.OfType<ModelThroughput>();
        var series = shown.SelectMany(m => new[]
        {
            new ChartSeries($"{m.Model.Id} raw", [.. m.Batches.Select(b => ((double)b.BatchSize, b.RawRowsPerSecond))]),
            new ChartSeries($"{m.Model.Id} system", [.. m.Batches.Select(b => ((double)b.BatchSize, b.SystemRowsPerSecond))]),
        });
        return new SvgLineChart("inference-throughput.svg", "Inference throughput vs batch size", "rows per request / run", "rows/s", [.. series], LogX: true, LogY: true);
    }

    // A realistic row: smooth values around the scale of the readings, not zeros.
    private static float[] Row(int width) => [.. Enumerable.Range(0, width).Select(i => (float)(0.5 + (0.1 * Math.Sin(i))))];
}
