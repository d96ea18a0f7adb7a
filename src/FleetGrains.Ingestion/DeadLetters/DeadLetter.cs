namespace FleetGrains.Ingestion.DeadLetters;

/// <summary>
/// Input the system could not use, kept for an operator: where it came from (<see cref="Source"/> and
/// <see cref="Position"/>: stream and entry id, MQTT topic, with <c>#i</c> for the i-th event of a batch),
/// why, and the payload as received (at most <see cref="MaxPayloadChars"/> characters of it).
/// </summary>
public sealed record DeadLetter(string Id, string Source, string Position, string Reason, string Payload, DateTimeOffset At)
{
    /// <summary>The fleet the event named (or its MQTT topic did); null when the payload could not tell.</summary>
    public string? FleetId { get; init; }

    public const int MaxPayloadChars = 16 * 1024;

    public static string Truncate(string payload) =>
        payload.Length <= MaxPayloadChars ? payload : string.Concat(payload.AsSpan(0, MaxPayloadChars), "…");
}

/// <summary>Where dead letters are kept; they are read newest first.</summary>
public interface IDeadLetterStore
{
    Task AddAsync(IReadOnlyCollection<DeadLetter> letters);

    /// <summary>The newest dead letters (up to <paramref name="count"/>), of <paramref name="source"/> only when given.</summary>
    Task<IReadOnlyList<DeadLetter>> ReadAsync(int count, string? source);
}
