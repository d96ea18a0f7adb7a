using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>Events by outcome of one source, over the whole cluster when the sources have a Redis (else this silo's).</summary>
public sealed record SourceCounts(string Source, long Accepted, long Duplicates, long DeadLettered, long Retried);

/// <summary>
/// Counts what each source's events came to: in a Redis hash (<c>{source}:{outcome}</c> fields) that all silos
/// add to (when the sources have a Redis), and in memory for this silo alone. The per-silo meter
/// (<see cref="IngestionMetrics"/>) counts the same.
/// </summary>
public sealed class SourceCounters(SourceRedis redis, IOptions<SourcesOptions> options)
{
    private static readonly string[] Outcomes = ["accepted", "duplicates", "dead-lettered", "retried"];
    private readonly ConcurrentDictionary<string, long> _local = new(StringComparer.Ordinal);

    public async Task AddAsync(string source, long accepted, long duplicates, long deadLettered, long retried)
    {
        long[] counts = [accepted, duplicates, deadLettered, retried];
        for (var i = 0; i < Outcomes.Length; i++)
        {
            _local.AddOrUpdate($"{source}:{Outcomes[i]}", counts[i], (_, n) => n + counts[i]);
        }

        if (!redis.IsConfigured)
        {
            return;
        }

        var db = await redis.DatabaseAsync();
        var batch = db.CreateBatch();
        var adds = new List<Task>();
        for (var i = 0; i < Outcomes.Length; i++)
        {
            if (counts[i] != 0)
            {
                adds.Add(batch.HashIncrementAsync(options.Value.CountersKey, $"{source}:{Outcomes[i]}", counts[i]));
            }
        }

        batch.Execute();
        await Task.WhenAll(adds);
    }

    /// <summary>The whole cluster's counts (this silo's when the sources have no Redis).</summary>
    public async Task<IReadOnlyList<SourceCounts>> ReadAsync()
    {
        if (!redis.IsConfigured)
        {
            return ReadThisSilo();
        }

        var db = await redis.DatabaseAsync();
        return ByOutcome((await db.HashGetAllAsync(options.Value.CountersKey)).ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal));
    }

    public IReadOnlyList<SourceCounts> ReadThisSilo() => ByOutcome(new Dictionary<string, long>(_local, StringComparer.Ordinal));

    private static IReadOnlyList<SourceCounts> ByOutcome(Dictionary<string, long> fields) => [.. fields.Keys.Select(k => k[..k.LastIndexOf(':')]).Distinct().Order(StringComparer.Ordinal).Select(source => new SourceCounts(
            source,
            fields.GetValueOrDefault($"{source}:accepted"),
            fields.GetValueOrDefault($"{source}:duplicates"),
            fields.GetValueOrDefault($"{source}:dead-lettered"),
            fields.GetValueOrDefault($"{source}:retried")))];
}
