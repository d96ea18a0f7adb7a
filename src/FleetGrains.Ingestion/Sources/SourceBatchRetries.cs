using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// For sources that acknowledge a whole batch at once (a Kafka commit, an Event Hubs checkpoint): hands the batch to
/// the <see cref="SourceBatchProcessor"/> until every message is done — the ones whose devices did not take them are
/// tried again with doubling pauses, dead-lettered at the last attempt — and only then says the batch may be
/// acknowledged. A failure to write dead letters or counters is not the messages' fault and not one of their attempts.
/// </summary>
public sealed partial class SourceBatchRetries(
    SourceBatchProcessor processor, IOptions<SourcesOptions> options, TimeProvider time, ILogger<SourceBatchRetries> logger)
{
    /// <summary>True when every message is done; false when <paramref name="stopping"/> came first (then nothing may be acknowledged).</summary>
    public async Task<bool> ProcessUntilDoneAsync(string source, string origin, IReadOnlyList<SourceMessage> messages, CancellationToken stopping)
    {
        var settings = options.Value;
        var pending = messages;
        var attempt = 1;
        var failuresInARow = 0;
        while (true)
        {
            TimeSpan pause;
            try
            {
                var done = await processor.ProcessAsync(source, pending, attempt >= settings.MaxAttempts, attempt);
                failuresInARow = 0;
                pending = [.. pending.Where((_, i) => !done[i])];
                if (pending.Count == 0)
                {
                    return true;
                }

                LogRetrying(logger, pending.Count, origin, attempt);
                pause = settings.RetryDelayFor(attempt++);
            }
            catch (Exception ex) when (TransportErrors.IsTransport(ex))
            {
                LogStoreFailed(logger, ex, origin, ++failuresInARow);
                pause = settings.RetryDelayFor(failuresInARow);
            }
            catch (Exception ex)
            {
                LogProcessingFailed(logger, ex, origin, attempt);
                pause = settings.RetryDelayFor(attempt++);
            }

            try
            {
                await Task.Delay(pause, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages of {Origin} were not taken by their devices (attempt {Attempt}); trying again")]
    private static partial void LogRetrying(ILogger logger, int count, string origin, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letters or counters of {Origin} could not be written ({Failures} times in a row); trying the batch again")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string origin, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling messages of {Origin} failed (attempt {Attempt}); trying again, at the last attempt message by message")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string origin, int attempt);
}
