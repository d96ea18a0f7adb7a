using System.Text;
using FleetGrains.Ingestion.DeadLetters;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// What every source does with a batch of its messages: decode each, send all their events through the
/// <see cref="TelemetryPipeline"/> (one grain call per device), and decide per message whether it is done —
/// then it may be acknowledged — or must be tried again because a device did not take its events.
/// Bad input of a done message (undecodable payload, invalid event, or a device that kept failing on the
/// last attempt) goes to the dead letters with its reason and position.
/// </summary>
public sealed class SourceBatchProcessor(
    TelemetryPipeline pipeline,
    IDeadLetterStore deadLetters,
    SourceCounters counters,
    IngestionMetrics metrics,
    TimeProvider time)
{
    /// <summary>
    /// Returns, per message, whether it is done. On the <paramref name="lastAttempt"/> every message is done.
    /// Throws when the dead letters or counters cannot be written: then no message is done.
    /// </summary>
    public async Task<bool[]> ProcessAsync(string source, IReadOnlyList<SourceMessage> messages, bool lastAttempt, int attempt = 1)
    {
        var batch = new DecodedBatch();
        var origin = new List<(int Message, int Event)>();
        var letters = new List<DeadLetter>[messages.Count];
        var now = time.GetUtcNow();
        for (var m = 0; m < messages.Count; m++)
        {
            letters[m] = [];
            var message = messages[m];
            if (message.Problem is { } problem)
            {
                letters[m].Add(Letter(source, message, message.Position, problem, now));
                continue;
            }

            DecodedBatch decoded;
            try
            {
                decoded = TelemetryDecoder.Decode(message.Payload.Span);
            }
            catch (TelemetryFormatException ex)
            {
                letters[m].Add(Letter(source, message, message.Position, ex.Message, now));
                continue;
            }

            foreach (var (index, e) in decoded.Events)
            {
                if (WithTopicIds(e, message) is { } named)
                {
                    batch.Events.Add((origin.Count, named));
                }
                else
                {
                    batch.Rejections.Add(new EventRejection(origin.Count, $"the event names {e.FleetId}/{e.DeviceId}; the topic names {message.FleetId}/{message.DeviceId}"));
                }

                origin.Add((m, index));
            }

            foreach (var rejection in decoded.Rejections)
            {
                batch.Rejections.Add(rejection with { Index = origin.Count });
                origin.Add((m, rejection.Index));
            }
        }

        var report = await pipeline.IngestAsync(batch, source);
        var done = new bool[messages.Count];
        Array.Fill(done, true);
        foreach (var error in report.Errors)
        {
            var (m, index) = origin[error.Index];
            if (error.Retryable && !lastAttempt)
            {
                done[m] = false;
                continue;
            }

            var reason = error.Retryable ? $"{error.Reason} (gave up after {attempt} attempts)" : error.Reason;
            letters[m].Add(Letter(source, messages[m], $"{messages[m].Position}#{index}", reason, now));
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
            await deadLetters.AddAsync(deadLettered);
            metrics.RecordDeadLettered(source, deadLettered.Count);
        }

        await counters.AddAsync(source, report.Accepted, report.Duplicates, deadLettered.Count, retried);
        return done;
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

    private static DeadLetter Letter(string source, SourceMessage message, string position, string reason, DateTimeOffset now) =>
        new("", source, position, reason, Encoding.UTF8.GetString(message.Payload.Span), now);
}
