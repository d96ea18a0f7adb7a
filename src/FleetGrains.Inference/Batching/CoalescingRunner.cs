using FleetGrains.Abstractions;

namespace FleetGrains.Inference.Batching;

/// <summary>
/// The model host's queue: requests that arrive while a run is in progress wait, and the next run takes
/// all of them (up to <c>maxRunRows</c>) as one ONNX Runtime run. At most one run is in flight; at most
/// <c>maxQueuedRows</c> rows wait, beyond which requests are refused with <see cref="ModelHostBusyException"/>.
/// When a merged run fails, its requests are run one by one, so a bad request fails only its own caller.
/// <c>run</c> scores the requests it is given in one run and answers each with its own rows.
/// </summary>
public sealed class CoalescingRunner(Func<IReadOnlyList<ScoringRequest>, ScoringResult[]> run, int rowWidth, int maxRunRows, int maxQueuedRows)
{
    private readonly Lock _lock = new();
    private readonly Queue<Pending> _queue = new();
    private int _queuedRows;
    private bool _draining;
    private long _runs;
    private long _rows;
    private long _requests;

    public int QueuedRows
    {
        get
        {
            lock (_lock)
            {
                return _queuedRows;
            }
        }
    }

    /// <summary>ONNX Runtime runs, rows scored and requests accepted so far.</summary>
    public (long Runs, long Rows, long Requests) Counters
    {
        get
        {
            lock (_lock)
            {
                return (_runs, _rows, _requests);
            }
        }
    }

    public Task<ScoringResult> ScoreAsync(ScoringRequest request)
    {
        if (Problem(request) is { } problem)
        {
            return Task.FromException<ScoringResult>(problem);
        }

        var pending = new Pending(request, new TaskCompletionSource<ScoringResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        return Enqueue([pending], request.Rows) is { } refused ? Task.FromException<ScoringResult>(refused) : pending.Completion.Task;
    }

    /// <summary>Queues every request or none (too many rows waiting, or a request that does not fit); each is answered with its own rows.</summary>
    public Task<ScoringResult[]> ScoreAllAsync(IReadOnlyList<ScoringRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var pending = new Pending[requests.Count];
        var rows = 0;
        for (var i = 0; i < pending.Length; i++)
        {
            if (Problem(requests[i]) is { } problem)
            {
                return Task.FromException<ScoringResult[]>(problem);
            }

            pending[i] = new Pending(requests[i], new TaskCompletionSource<ScoringResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            rows += requests[i].Rows;
        }

        return Enqueue(pending, rows) is { } refused
            ? Task.FromException<ScoringResult[]>(refused)
            : Task.WhenAll(pending.Select(p => p.Completion.Task));
    }

    private ArgumentException? Problem(ScoringRequest? request) =>
        request is null || request.Rows < 1 || request.Windows.Length != request.Rows * rowWidth
            ? new ArgumentException($"A request must hold at least one row of {rowWidth} values; got {request?.Windows.Length ?? 0} values for {request?.Rows ?? 0} row(s).", nameof(request))
            : null;

    // Null when queued; the refusal when too many rows are waiting.
    private ModelHostBusyException? Enqueue(Pending[] pending, int rows)
    {
        bool startDrain;
        lock (_lock)
        {
            if (_queuedRows + rows > maxQueuedRows)
            {
                return new ModelHostBusyException($"The model host has {_queuedRows} rows waiting (at most {maxQueuedRows}); {rows} more were refused. Retry later.");
            }

            foreach (var p in pending)
            {
                _queue.Enqueue(p);
            }

            _queuedRows += rows;
            _requests += pending.Length;
            startDrain = !_draining;
            _draining = true;
        }

        if (startDrain)
        {
            // ONNX Runtime runs block a thread: they run off the caller's (grain's) scheduler, so that
            // requests keep queueing up behind the run in progress.
            _ = Task.Run(Drain);
        }

        return null;
    }

    private void Drain()
    {
        while (TakeBatch() is { } batch)
        {
            Execute(batch);
        }
    }

    private List<Pending>? TakeBatch()
    {
        lock (_lock)
        {
            if (_queue.Count == 0)
            {
                _draining = false;
                return null;
            }

            var batch = new List<Pending> { _queue.Dequeue() };
            var rows = batch[0].Request.Rows;
            while (_queue.TryPeek(out var next) && rows + next.Request.Rows <= maxRunRows)
            {
                batch.Add(_queue.Dequeue());
                rows += next.Request.Rows;
            }

            _queuedRows -= rows;
            return batch;
        }
    }

    private void Execute(List<Pending> batch)
    {
        if (batch.Count > 1)
        {
            try
            {
                var results = RunCounted([.. batch.Select(p => p.Request)]);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }

                return;
            }
            catch (Exception)
            {
                // Fall through: find the request(s) that fail by running each alone.
            }
        }

        foreach (var pending in batch)
        {
            try
            {
                pending.Completion.TrySetResult(RunCounted([pending.Request])[0]);
            }
            catch (Exception ex)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    private ScoringResult[] RunCounted(ScoringRequest[] requests)
    {
        var results = run(requests);
        lock (_lock)
        {
            _runs++;
            _rows += requests.Sum(r => r.Rows);
        }

        return results;
    }

    private sealed record Pending(ScoringRequest Request, TaskCompletionSource<ScoringResult> Completion);
}
