using FleetGrains.Abstractions;
using FleetGrains.Inference.Batching;

namespace FleetGrains.Inference.Tests;

public sealed class CoalescingRunnerTests
{
    private static readonly ModelRef Model = new("test", 1);

    [Fact]
    public async Task Score_RequestsArrivingDuringARun_AreMergedIntoTheNextRun()
    {
        var gate = new ManualResetEventSlim();
        var runRows = new List<int>();
        var runner = new CoalescingRunner(
            requests =>
            {
                gate.Wait(TimeSpan.FromSeconds(10));
                lock (runRows)
                {
                    runRows.Add(requests.Sum(r => r.Rows));
                }

                return Doubled(requests);
            },
            rowWidth: 2,
            maxRunRows: 100,
            maxQueuedRows: 100);

        var first = runner.ScoreAsync(Request(1, 2, 1f));
        await Eventually.Holds(() => runner.QueuedRows == 0, "the first run to start");
        var waiting = Enumerable.Range(0, 3).Select(i => runner.ScoreAsync(Request(2, 2, 10f * (i + 1)))).ToArray();
        Assert.Equal(6, runner.QueuedRows);
        gate.Set();

        await first;
        var results = await Task.WhenAll(waiting);
        Assert.Equal(new[] { 1, 6 }, runRows);
        Assert.Equal((2L, 7L, 4L), runner.Counters);
        for (var i = 0; i < 3; i++)
        {
            // Each caller gets its own rows back: the sum of its row's two values, doubled.
            Assert.Equal(new[] { 40f * (i + 1), 40f * (i + 1) }, results[i].Values.ToArray());
        }
    }

    [Fact]
    public async Task Score_OneBadRequestInAMergedRun_FailsOnlyItsOwnCaller()
    {
        var gate = new ManualResetEventSlim();
        var runner = new CoalescingRunner(
            requests =>
            {
                gate.Wait(TimeSpan.FromSeconds(10));
                return requests.Any(r => r.Windows.ToArray().Any(float.IsNaN))
                    ? throw new InvalidOperationException("the model cannot take NaN")
                    : Doubled(requests);
            },
            rowWidth: 2,
            maxRunRows: 100,
            maxQueuedRows: 100);

        var first = runner.ScoreAsync(Request(1, 2, 1f));
        await Eventually.Holds(() => runner.QueuedRows == 0, "the first run to start");
        var good1 = runner.ScoreAsync(Request(1, 2, 1f));
        var bad = runner.ScoreAsync(Request(1, 2, float.NaN));
        var good2 = runner.ScoreAsync(Request(1, 2, 2f));
        gate.Set();

        await first;
        Assert.Equal(new[] { 4f }, (await good1).Values);
        Assert.Equal(new[] { 8f }, (await good2).Values);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_WhenTheQueueIsFull_RefusesWithBusyAndKeepsServingTheQueued()
    {
        var gate = new ManualResetEventSlim();
        var runner = new CoalescingRunner(requests => { gate.Wait(TimeSpan.FromSeconds(10)); return Doubled(requests); }, rowWidth: 1, maxRunRows: 4, maxQueuedRows: 4);

        var running = runner.ScoreAsync(Request(4, 1, 1f));
        await Eventually.Holds(() => runner.QueuedRows == 0, "the first run to start");
        var queued = runner.ScoreAsync(Request(4, 1, 1f));
        var refused = await Assert.ThrowsAsync<ModelHostBusyException>(() => runner.ScoreAsync(Request(1, 1, 1f)));
        Assert.Contains("4 rows waiting", refused.Message, StringComparison.Ordinal);

        gate.Set();
        Assert.Equal(4, (await running).Rows);
        Assert.Equal(4, (await queued).Rows);
        Assert.Equal(1, (await runner.ScoreAsync(Request(1, 1, 1f))).Rows);
    }

    [Fact]
    public async Task ScoreAll_AnswersEachRequestWithItsOwnRows_AndRefusesAllOfThemWhenTheQueueCannotTakeThemAll()
    {
        var runner = new CoalescingRunner(Doubled, rowWidth: 2, maxRunRows: 100, maxQueuedRows: 5);

        var results = await runner.ScoreAllAsync([Request(2, 2, 1f), Request(1, 2, 5f)]);
        var refused = await Assert.ThrowsAsync<ModelHostBusyException>(() => runner.ScoreAllAsync([Request(3, 2, 1f), Request(3, 2, 1f)]));
        var misfit = await Assert.ThrowsAsync<ArgumentException>(() => runner.ScoreAllAsync([Request(1, 2, 1f), new ScoringRequest(new[] { 1f }, 1)]));

        Assert.Equal(new[] { 4f, 4f }, results[0].Values.ToArray());
        Assert.Equal(new[] { 20f }, results[1].Values.ToArray());
        Assert.Contains("6 more were refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains("2 values", misfit.Message, StringComparison.Ordinal);
        Assert.Equal(0, runner.QueuedRows);
        Assert.Equal((1L, 3L, 2L), runner.Counters); // one run of both requests; nothing of the refused ones
    }

    [Fact]
    public async Task Score_RowsOfTheWrongWidth_AreRefusedWithAClearError()
    {
        var runner = new CoalescingRunner(Doubled, rowWidth: 3, maxRunRows: 4, maxQueuedRows: 4);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.ScoreAsync(new ScoringRequest(new[] { 1f, 2f }, 1)));
        Assert.Contains("3 values", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => runner.ScoreAsync(new ScoringRequest(Array.Empty<float>(), 0)));
    }

    internal static ScoringRequest Request(int rows, int width, float value) =>
        new(Enumerable.Repeat(value, rows * width).ToArray(), rows);

    // A stand-in model: each row's value is twice the sum of its inputs.
    internal static ScoringResult[] Doubled(IReadOnlyList<ScoringRequest> requests) =>
        [.. requests.Select(request =>
        {
            var width = request.Windows.Length / request.Rows;
            var values = Enumerable.Range(0, request.Rows).Select(r => 2 * request.Windows.ToArray().Skip(r * width).Take(width).Sum()).ToArray();
            return new ScoringResult(Model, values, Array.Empty<float>(), 0);
        })];
}
