using System.Diagnostics;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>Samples a cumulative event count every few hundred milliseconds while a run goes on (for the throughput chart).</summary>
public sealed class ProgressRecorder : IAsyncDisposable
{
    private readonly List<(double Seconds, long Events)> _samples = [(0, 0)];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly long _started = Stopwatch.GetTimestamp();

    public ProgressRecorder(Func<Task<long>> count, TimeSpan every) => _sampling = SampleAsync(count, every);

    public IReadOnlyList<(double Seconds, long Events)> Samples => _samples;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task SampleAsync(Func<Task<long>> count, TimeSpan every)
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(every, _stop.Token);
            var events = await count();
            _samples.Add((Elapsed.TotalSeconds, events));
        }
    }
}
