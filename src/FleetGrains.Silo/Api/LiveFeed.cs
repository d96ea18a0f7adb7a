using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FleetGrains.Silo.Api;

/// <summary>
/// A live view of one grain's state as server-sent events: the state is read every <see cref="ApiOptions.LiveInterval"/>
/// and sent when it changed (as JSON), and at least every <see cref="ApiOptions.LiveHeartbeat"/>. Each event's id
/// counts the events of this connection; a client that reconnects simply gets the current state first.
/// A failed read ends the stream (the client reconnects), never the silo.
/// </summary>
public static class LiveFeed
{
    public static async IAsyncEnumerable<SseItem<T>> FollowAsync<T>(
        Func<Task<T?>> read,
        string eventType,
        ApiOptions options,
        JsonSerializerOptions json,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        string? lastSent = null;
        var lastSentAt = DateTimeOffset.MinValue;
        long id = 0;
        using var timer = new PeriodicTimer(options.LiveInterval, time);
        do
        {
            var value = await read();
            if (value is null)
            {
                yield break;
            }

            var text = JsonSerializer.Serialize(value, json);
            var now = time.GetUtcNow();
            if (text != lastSent || now - lastSentAt >= options.LiveHeartbeat)
            {
                (lastSent, lastSentAt) = (text, now);
                yield return new SseItem<T>(value, eventType) { EventId = (++id).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false; // the client went away
        }
    }
}
