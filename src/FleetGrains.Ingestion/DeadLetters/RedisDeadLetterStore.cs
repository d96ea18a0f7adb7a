using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.DeadLetters;

/// <summary>Dead letters as entries of a Redis stream (fields source, position, reason, payload, at, and fleet when known), trimmed to the configured length.</summary>
public sealed class RedisDeadLetterStore(SourceRedis redis, IOptions<SourcesOptions> options) : IDeadLetterStore
{
    private readonly SourcesOptions _options = options.Value;

    public async Task AddAsync(IReadOnlyCollection<DeadLetter> letters)
    {
        var db = await redis.DatabaseAsync();
        var batch = db.CreateBatch();
        var adds = letters.Select(letter => batch.StreamAddAsync(
            _options.DeadLetterStream,
            [
                new NameValueEntry("source", letter.Source),
                new NameValueEntry("position", letter.Position),
                new NameValueEntry("reason", letter.Reason),
                new NameValueEntry("payload", DeadLetter.Truncate(letter.Payload)),
                new NameValueEntry("at", letter.At.ToUnixTimeMilliseconds()),
                .. letter.FleetId is null ? Array.Empty<NameValueEntry>() : [new NameValueEntry("fleet", letter.FleetId)],
            ],
            maxLength: _options.DeadLetterMaxLength,
            useApproximateMaxLength: true)).ToList();
        batch.Execute();
        await Task.WhenAll(adds);
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadAsync(int count, string? source)
    {
        var db = await redis.DatabaseAsync();
        return await NewestEntries.ReadAsync(db, _options.DeadLetterStream, count, entry =>
        {
            var letter = new DeadLetter(
                entry.Id!,
                entry["source"]!,
                entry["position"]!,
                entry["reason"]!,
                entry["payload"]!,
                DateTimeOffset.FromUnixTimeMilliseconds((long)entry["at"]))
            {
                FleetId = entry["fleet"].IsNull ? null : (string?)entry["fleet"],
            };
            return source is null || letter.Source == source ? letter : null;
        });
    }
}
