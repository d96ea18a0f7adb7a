using FleetGrains.Abstractions;

namespace FleetGrains.Inference.Batching;

/// <summary>
/// Collects scoring requests per model and sends them together, one call per batch (each request answered
/// with its own rows, so that no rows are copied to concatenate them): when a model's waiting
/// rows reach <see cref="BatcherLimits.MaxRows"/>, or when its oldest request has waited
/// <see cref="BatcherLimits.MaxDelay"/>. One batch per model is in flight at a time; requests that arrive
/// meanwhile form the next one. A failed send fails every caller of that batch and no other; a caller
/// that cancels before its batch is sent is left out of it; a full queue refuses new requests with
/// <see cref="ModelHostBusyException"/>; a request found waiting longer than <see cref="BatcherLimits.MaxWait"/>
/// when the next batch is formed fails with a <see cref="TimeoutException"/> (checked there rather than with a
/// timer per request: a batch in flight is bounded by its call's own timeout). A batch's answers are handed out,
/// and the next batch sent, on the thread pool, never on the scheduler of the caller whose request completed a
/// batch (a grain's, which may be gone by then).
/// </summary>
public sealed class RequestBatcher(
    Func<ModelRef, ScoringRequest[], Task<ScoringResult[]>> send, BatcherLimits limits, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ModelRef, ModelQueue> _queues = [];

    public Task<ScoringResult> ScoreAsync(ModelRef model, ScoringRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (request is null || request.Rows < 1 || request.Windows.Length % request.Rows != 0)
        {
            return Task.FromException<ScoringResult>(new ArgumentException($"A request must hold at least one row and a whole number of values per row; got {request?.Windows.Length ?? 0} values for {request?.Rows ?? 0} row(s).", nameof(request)));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ScoringResult>(cancellationToken);
        }

        var pending = new Pending(request, time.GetTimestamp(), new TaskCompletionSource<ScoringResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        List<Pending>? batch;
        lock (_lock)
        {
            if (!_queues.TryGetValue(model, out var queue))
            {
                _queues[model] = queue = new ModelQueue();
            }

            if (queue.WaitingRows + request.Rows > limits.MaxQueuedRows)
            {
                return Task.FromException<ScoringResult>(new ModelHostBusyException($"The batcher holds {queue.WaitingRows} rows for {model} (at most {limits.MaxQueuedRows}); {request.Rows} more were refused. Retry later."));
            }

            if (queue.Waiting.Count > 0 && queue.Waiting[0].Request.Windows.Length / queue.Waiting[0].Request.Rows != request.Windows.Length / request.Rows)
            {
                return Task.FromException<ScoringResult>(new ArgumentException($"Rows for {model} must all have {queue.Waiting[0].Request.Windows.Length / queue.Waiting[0].Request.Rows} values.", nameof(request)));
            }

            queue.Waiting.Add(pending);
            queue.WaitingRows += request.Rows;
            batch = NextBatchIfDue(model, queue);
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.Cancellation = RegisterCancellation(model, pending, cancellationToken);
        }

        Send(model, batch);
        return pending.Completion.Task;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var queue in _queues.Values)
            {
                queue.Timer?.Dispose();
                foreach (var pending in queue.Waiting)
                {
                    pending.Completion.TrySetException(new ObjectDisposedException(nameof(RequestBatcher), "The batcher was stopped before this request was sent."));
                }
            }

            _queues.Clear();
        }
    }

    // Called under the lock: takes a batch when one is due and none is in flight, else makes sure a
    // timer will come back for the oldest waiting request.
    private List<Pending>? NextBatchIfDue(ModelRef model, ModelQueue queue)
    {
        if (queue.InFlight)
        {
            return null;
        }

        FailExpired(model, queue);
        if (queue.Waiting.Count == 0)
        {
            return null;
        }

        var waited = time.GetElapsedTime(queue.Waiting[0].EnqueuedAt);
        if (queue.WaitingRows < limits.MaxRows && waited < limits.MaxDelay)
        {
            queue.Timer ??= CreateTimer(model, limits.MaxDelay - waited);
            return null;
        }

        queue.Timer?.Dispose();
        queue.Timer = null;
        var count = 0;
        var rows = 0;
        while (count < queue.Waiting.Count && (count == 0 || rows + queue.Waiting[count].Request.Rows <= limits.MaxRows))
        {
            rows += queue.Waiting[count].Request.Rows;
            count++;
        }

        var batch = queue.Waiting.GetRange(0, count);
        queue.Waiting.RemoveRange(0, count);
        queue.WaitingRows -= rows;
        queue.InFlight = true;
        return batch;
    }

    // Called under the lock; the callers' continuations run asynchronously, so completing them here is safe.
    private void FailExpired(ModelRef model, ModelQueue queue)
    {
        var expired = 0;
        while (expired < queue.Waiting.Count && time.GetElapsedTime(queue.Waiting[expired].EnqueuedAt) > limits.MaxWait)
        {
            var pending = queue.Waiting[expired++];
            queue.WaitingRows -= pending.Request.Rows;
            pending.Completion.TrySetException(new TimeoutException(
                $"The request of {pending.Request.Rows} rows for {model} waited more than {limits.MaxWait} in the batcher without being sent (the model host is not answering)."));
        }

        queue.Waiting.RemoveRange(0, expired);
    }

    private void OnTimer(ModelRef model)
    {
        List<Pending>? batch;
        lock (_lock)
        {
            if (!_queues.TryGetValue(model, out var queue))
            {
                return;
            }

            queue.Timer?.Dispose();
            queue.Timer = null;
            batch = NextBatchIfDue(model, queue);
        }

        Send(model, batch);
    }

    // The lambdas of the timer and the cancellation live in methods of their own: a closure is made where its captured
    // variables are declared, and in the callers that would be once per request, needed or not.
    private ITimer CreateTimer(ModelRef model, TimeSpan due) => time.CreateTimer(_ => OnTimer(model), null, due, Timeout.InfiniteTimeSpan);

    private CancellationTokenRegistration RegisterCancellation(ModelRef model, Pending pending, CancellationToken cancellationToken) =>
        cancellationToken.Register(() => Cancel(model, pending, cancellationToken));

    private void Cancel(ModelRef model, Pending pending, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(model, out var queue) || !queue.Waiting.Remove(pending))
            {
                return; // already sent: the answer will come
            }

            queue.WaitingRows -= pending.Request.Rows;
        }

        pending.Completion.TrySetCanceled(cancellationToken);
    }

    private void Send(ModelRef model, List<Pending>? batch)
    {
        if (batch is not null)
        {
            _ = SendAsync(model, batch);
        }
    }

    private async Task SendAsync(ModelRef model, List<Pending> batch)
    {
        try
        {
            var requests = new ScoringRequest[batch.Count];
            for (var i = 0; i < requests.Length; i++)
            {
                requests[i] = batch[i].Request;
            }

            var results = await send(model, requests).ConfigureAwait(false);
            for (var i = 0; i < requests.Length; i++)
            {
                if (i >= results.Length || results[i].Rows != requests[i].Rows)
                {
                    throw new InvalidOperationException($"{model} answered request {i} of {requests.Length} with {(i < results.Length ? results[i].Rows : 0)} rows for {requests[i].Rows}.");
                }
            }

            for (var i = 0; i < requests.Length; i++)
            {
                batch[i].Completion.TrySetResult(results[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Cancellation.Dispose();
            }
        }

        List<Pending>? next;
        lock (_lock)
        {
            if (!_queues.TryGetValue(model, out var queue))
            {
                return; // disposed meanwhile
            }

            queue.InFlight = false;
            next = NextBatchIfDue(model, queue);
        }

        Send(model, next);
    }

    private sealed class ModelQueue
    {
        public List<Pending> Waiting { get; } = [];

        public int WaitingRows { get; set; }

        public bool InFlight { get; set; }

        public ITimer? Timer { get; set; }
    }

    private sealed class Pending(ScoringRequest request, long enqueuedAt, TaskCompletionSource<ScoringResult> completion)
    {
        public ScoringRequest Request { get; } = request;

        public long EnqueuedAt { get; } = enqueuedAt;

        public TaskCompletionSource<ScoringResult> Completion { get; } = completion;

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
