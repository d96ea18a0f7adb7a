using System.Text;
using FleetGrains.Ingestion.DeadLetters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// What every source does with a batch of its messages: decode each, send all their events through the
/// <see cref="TelemetryPipeline"/> (one grain call per device), and decide per message whether it is done —
/// then it may be acknowledged — or must be tried again because a device did not take its events.
/// Bad input of a done message (an oversized or undecodable payload, an invalid event, or a device that kept
/// failing on the last attempt) goes to the dead letters with its reason and position. Whatever the bytes, a
/// message never makes the batch throw; should handling fail anyway (a bug), the last attempt handles each
/// message alone and dead-letters only the ones that still fail.
/// </summary>
public sealed partial class SourceBatchProcessor(
    TelemetryPipeline pipeline,
    IDeadLetterStore deadLetters,
    SourceCounters counters,
    IngestionMetrics metrics,
    IOptions<IngestionOptions> ingestion,
    TimeProvider time,
    ILogger<SourceBatchProcessor> logger)
{
    /// <summary>
    /// Returns, per message, whether it is done. On the <paramref name="lastAttempt"/> every message is done.
    /// Throws when the dead letters or counters cannot be written (a transport error, see
    /// <see cref="TransportErrors"/>): then no message is done.
    /// </summary>
    public async Task<bool[]> ProcessAsync(string source, IReadOnlyList<SourceMessage> messages, bool lastAttempt, int attempt = 1)
    {
        try
        {
            return await ProcessTogetherAsync(source, messages, lastAttempt, attempt);
        }
        catch (Exception ex) when (lastAttempt && !TransportErrors.IsTransport(ex))
        {
            LogIsolating(logger, ex, source, messages.Count, attempt);
            return await ProcessEachAloneAsync(source, messages, attempt);
        }
    }

    private async Task<bool[]> ProcessEachAloneAsync(string source, IReadOnlyList<SourceMessage> messages, int attempt)
    {
        var done = new bool[messages.Count];
        for (var m = 0; m < messages.Count; m++)
        {
            try
            {
                done[m] = (await ProcessTogetherAsync(source, [messages[m]], lastAttempt: true, attempt))[0];
            }
            catch (Exception ex) when (!TransportErrors.IsTransport(ex))
            {
                var reason = $"handling this message failed {attempt} times ({ex.GetType().Name}: {ex.Message})";
                await DeadLetterAsync(source, [Letter(source, messages[m], messages[m].Position, reason, time.GetUtcNow(), messages[m].FleetId)]);
                await counters.AddAsync(source, 0, 0, 1, 0);
                done[m] = true;
            }
        }

        return done;
    }

    private async Task<bool[]> ProcessTogetherAsync(string source, IReadOnlyList<SourceMessage> messages, bool lastAttempt, int attempt)
    {
        // One store for every message's values: they live until the merged batch has been ingested.
        using var values = new DecodedValues();
        using var batch = new DecodedBatch(values);
        var origin = new List<(int Message, int Event, string? FleetId)>();
        var letters = new List<DeadLetter>[messages.Count];
        var now = time.GetUtcNow();
        var maxBytes = ingestion.Value.MaxBodyBytes;
        for (var m = 0; m < messages.Count; m++)
        {
            letters[m] = [];
            var message = messages[m];
            if (message.Problem is { } problem)
            {
                letters[m].Add(Letter(source, message, message.Position, problem, now, message.FleetId));
                continue;
            }

            if (message.Payload.Length > maxBytes)
            {
                letters[m].Add(Letter(source, message, message.Position,
                    $"the payload of {message.Payload.Length} bytes exceeds the limit of {maxBytes} bytes ({IngestionOptions.Section}:MaxBodyBytes); split it", now, message.FleetId));
                continue;
            }

            var (events, rejections) = (batch.Events.Count, batch.Rejections.Count);
            try
            {
                message.DecodeInto(batch);
            }
            catch (TelemetryFormatException ex)
            {
                letters[m].Add(Letter(source, message, message.Position, ex.Message, now, message.FleetId));
                continue;
            }

            // The message's events and rejections were appended with their indices within the message: number
            // them in the read, remembering which message and event each came from.
            var decodedRejections = batch.Rejections.Count;
            var otherDevice = false;
            for (var i = events; i < batch.Events.Count; i++)
            {
                var (index, e) = batch.Events[i];
                if (WithTopicIds(e, message) is { } named)
                {
                    batch.Events[i] = (origin.Count, named);
                }
                else
                {
                    batch.Events[i] = (-1, e);
                    batch.Rejections.Add(new EventRejection(origin.Count, $"the event names {e.FleetId}/{e.DeviceId}; the topic names {message.FleetId}/{message.DeviceId}"));
                    otherDevice = true;
                }

                origin.Add((m, index, message.FleetId ?? e.FleetId));
            }

            for (var r = rejections; r < decodedRejections; r++)
            {
                var rejection = batch.Rejections[r];
                batch.Rejections[r] = rejection with { Index = origin.Count };
                origin.Add((m, rejection.Index, message.FleetId));
            }

            if (otherDevice)
            {
                batch.Events.RemoveAll(e => e.Index < 0);
            }
        }

        var report = await pipeline.IngestAsync(batch, source);
        var done = new bool[messages.Count];
        Array.Fill(done, true);
        foreach (var error in report.Errors)
        {
            var (m, index, fleetId) = origin[error.Index];
            if (error.Retryable && !lastAttempt)
            {
                done[m] = false;
                continue;
            }

            var reason = error.Retryable ? $"{error.Reason} (gave up after {attempt} attempts)" : error.Reason;
            letters[m].Add(Letter(source, messages[m], $"{messages[m].Position}#{index}", reason, now, fleetId));
        }

        var deadLettered = new List<DeadLetter>();
        var retried = 0;
        for (var m = 0; m < messages.Count; m++)
        {
            if (done[m])
            {
                deadLettered.AddRange(letters[m]);
            }
            else
            {
                retried++;
            }
        }

        if (deadLettered.Count > 0)
        {
            await DeadLetterAsync(source, deadLettered);
        }

        await counters.AddAsync(source, report.Accepted, report.Duplicates, deadLettered.Count, retried);
        return done;
    }

    // Keeps the letters, and counts them for their source and for the fleets they name.
    private async Task DeadLetterAsync(string source, IReadOnlyCollection<DeadLetter> letters)
    {
        await deadLetters.AddAsync(letters);
        metrics.RecordDeadLettered(source, letters.Count);
        foreach (var fleet in letters.Where(l => l.FleetId is not null).GroupBy(l => l.FleetId!, StringComparer.Ordinal))
        {
            metrics.RecordFleetDeadLettered(fleet.Key, fleet.Count());
        }
    }

    private static TelemetryEvent? WithTopicIds(TelemetryEvent e, SourceMessage message)
    {
        if (message.FleetId is null)
        {
            return e;
        }

        if ((e.FleetId is not null && e.FleetId != message.FleetId) || (e.DeviceId is not null && e.DeviceId != message.DeviceId))
        {
            return null;
        }

        return e with { FleetId = message.FleetId, DeviceId = message.DeviceId };
    }

    // The payload as text, at most what a dead letter keeps (a UTF-8 character is at most 4 bytes); bytes that
    // are not UTF-8 show as U+FFFD.
    private static DeadLetter Letter(string source, SourceMessage message, string position, string reason, DateTimeOffset now, string? fleetId)
    {
        var payload = message.Payload.Span;
        var kept = payload[..Math.Min(payload.Length, 4 * DeadLetter.MaxPayloadChars)];
        return new("", source, position, reason, DeadLetter.Truncate(Encoding.UTF8.GetString(kept)), now) { FleetId = fleetId };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling {Count} messages of {Source} failed on attempt {Attempt}, the last; handling each alone")]
    private static partial void LogIsolating(ILogger logger, Exception exception, string source, int count, int attempt);
}
