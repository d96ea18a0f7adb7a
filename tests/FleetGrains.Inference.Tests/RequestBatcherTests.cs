using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;
using Microsoft.Extensions.Time.Testing;

namespace FleetGrains.Inference.Tests;

public sealed class RequestBatcherTests
{
    private static readonly ModelRef Model = new("test", 1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly List<(ModelRef Model, ScoringRequest Request, TaskCompletionSource<ScoringResult> Answer)> _sent = [];

    [Fact]
    public async Task Score_ReachingMaxRows_SendsOneBatchAtOnce()
    {
        using var batcher = Batcher(maxRows: 4);
        var calls = Enumerable.Range(0, 4).Select(i => batcher.ScoreAsync(Model, Row(i))).ToArray();

        var sent = Assert.Single(Sent());
        Assert.Equal(4, sent.Request.Rows);
        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 2f, 2f, 3f, 3f }, sent.Request.Windows.ToArray());
        sent.Answer.SetResult(Echo(sent.Request));
        var results = await Task.WhenAll(calls);
        Assert.Equal(new[] { 0f, 1f, 2f, 3f }, results.Select(r => Assert.Single(r.Values.ToArray())));
    }

    [Fact]
    public async Task Score_BelowMaxRows_SendsWhenTheOldestRequestHasWaitedMaxDelay()
    {
        using var batcher = Batcher(maxRows: 100);
        var first = batcher.ScoreAsync(Model, Row(1));
        _time.Advance(MaxDelay / 2);
        var second = batcher.ScoreAsync(Model, Row(2));
        Assert.Empty(Sent());

        _time.Advance(MaxDelay / 2);
        var sent = Assert.Single(Sent());
        Assert.Equal(2, sent.Request.Rows);
        sent.Answer.SetResult(Echo(sent.Request));
        Assert.Equal(new[] { 1f }, (await first).Values);
        Assert.Equal(new[] { 2f }, (await second).Values);
    }

    [Fact]
    public async Task Score_BehindAModelHostThatDoesNotAnswer_FailsOnceItWaitedMaxWait_AndLaterRequestsAreServed()
    {
        using var batcher = Batcher(maxRows: 1);
        var stuck = batcher.ScoreAsync(Model, Row(1));
        var waiting = batcher.ScoreAsync(Model, Row(2));
        _time.Advance(MaxWait / 2);
        var younger = batcher.ScoreAsync(Model, Row(3));
        _time.Advance((MaxWait / 2) + TimeSpan.FromSeconds(1));

        Sent()[0].Answer.SetException(new TimeoutException("the model host's call timed out"));
        await Assert.ThrowsAsync<TimeoutException>(() => stuck);
        var expired = await Assert.ThrowsAsync<TimeoutException>(() => waiting);
        Assert.Contains("waited more than", expired.Message);

        await Eventually.Holds(() => Sent().Count == 2, "the younger request's batch");
        Assert.Equal(new[] { 3f, 3f }, Sent()[1].Request.Windows.ToArray());
        Sent()[1].Answer.SetResult(Echo(Sent()[1].Request));
        Assert.Equal(new[] { 3f }, (await younger).Values);
    }

    [Fact]
    public async Task Score_WhenTheSendFails_EveryCallerOfThatBatchSeesTheFailureAndTheNextBatchIsServed()
    {
        using var batcher = Batcher(maxRows: 2);
        var batch1 = new[] { batcher.ScoreAsync(Model, Row(1)), batcher.ScoreAsync(Model, Row(2)) };
        var batch2 = new[] { batcher.ScoreAsync(Model, Row(3)), batcher.ScoreAsync(Model, Row(4)) };

        Assert.Single(Sent()); // one batch in flight at a time
        Sent()[0].Answer.SetException(new InvalidOperationException("model host unreachable"));
        foreach (var call in batch1)
        {
            Assert.Equal("model host unreachable", (await Assert.ThrowsAsync<InvalidOperationException>(() => call)).Message);
        }

        await Eventually.Holds(() => Sent().Count == 2, "the second batch");
        Sent()[1].Answer.SetResult(Echo(Sent()[1].Request));
        Assert.Equal(new[] { 3f, 4f }, (await Task.WhenAll(batch2)).Select(r => r.Values.Span[0]));
    }

    [Fact]
    public async Task Score_WhenTheHostIsSaturated_RefusesBeyondTheQueueLimitWithBusy()
    {
        using var batcher = Batcher(maxRows: 2, maxQueuedRows: 2);
        var inFlight = new[] { batcher.ScoreAsync(Model, Row(1)), batcher.ScoreAsync(Model, Row(2)) };
        var queued = new[] { batcher.ScoreAsync(Model, Row(3)), batcher.ScoreAsync(Model, Row(4)) };

        var refused = await Assert.ThrowsAsync<ModelHostBusyException>(() => batcher.ScoreAsync(Model, Row(5)));
        Assert.Contains("at most 2", refused.Message, StringComparison.Ordinal);

        Sent()[0].Answer.SetResult(Echo(Sent()[0].Request));
        await Task.WhenAll(inFlight);
        await Eventually.Holds(() => Sent().Count == 2, "the queued batch");
        Sent()[1].Answer.SetResult(Echo(Sent()[1].Request));
        Assert.Equal(new[] { 3f, 4f }, (await Task.WhenAll(queued)).Select(r => r.Values.Span[0]));
    }

    [Fact]
    public async Task Score_CancelledBeforeItsBatchIsSent_IsLeftOutOfTheBatch()
    {
        using var batcher = Batcher(maxRows: 100);
        using var cancellation = new CancellationTokenSource();
        var cancelled = batcher.ScoreAsync(Model, Row(1), cancellation.Token);
        var kept = batcher.ScoreAsync(Model, Row(2));

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _time.Advance(MaxDelay);
        var sent = Assert.Single(Sent());
        Assert.Equal(new[] { 2f, 2f }, sent.Request.Windows.ToArray());
        sent.Answer.SetResult(Echo(sent.Request));
        Assert.Equal(new[] { 2f }, (await kept).Values);
    }

    [Fact]
    public async Task Score_RowsOfADifferentWidthThanTheWaitingOnes_AreRefused()
    {
        using var batcher = Batcher(maxRows: 100);
        _ = batcher.ScoreAsync(Model, Row(1));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => batcher.ScoreAsync(Model, new ScoringRequest(new[] { 1f, 2f, 3f }, 1)));
        Assert.Contains("2 values", error.Message, StringComparison.Ordinal);
    }

    private RequestBatcher Batcher(int maxRows, int maxQueuedRows = 1000) =>
        new(
            async (model, requests) =>
            {
                // Shown to the tests as one request of all the batch's rows, in order; the answer for all of
                // them is cut into each request's rows.
                var answer = new TaskCompletionSource<ScoringResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_sent)
                {
                    _sent.Add((model, new ScoringRequest(requests.SelectMany(r => r.Windows.ToArray()).ToArray(), requests.Sum(r => r.Rows)), answer));
                }

                var all = await answer.Task;
                var first = 0;
                var results = new ScoringResult[requests.Length];
                for (var i = 0; i < requests.Length; i++)
                {
                    var rows = requests[i].Rows;
                    results[i] = new ScoringResult(all.Model, all.Values[first..(first + rows)], all.FeatureErrors[(first * all.Features)..((first + rows) * all.Features)], all.Features);
                    first += rows;
                }

                return results;
            },
            new BatcherLimits(maxRows, MaxDelay, maxQueuedRows, MaxWait),
            _time);

    private List<(ModelRef Model, ScoringRequest Request, TaskCompletionSource<ScoringResult> Answer)> Sent()
    {
        lock (_sent)
        {
            return [.. _sent];
        }
    }

    // One row of two equal values.
    private static ScoringRequest Row(float value) => new(new[] { value, value }, 1);

    // A stand-in model: each row's value is its first input.
    private static ScoringResult Echo(ScoringRequest request) =>
        new(Model, Enumerable.Range(0, request.Rows).Select(r => request.Windows.Span[r * (request.Windows.Length / request.Rows)]).ToArray(), Array.Empty<float>(), 0);
}
