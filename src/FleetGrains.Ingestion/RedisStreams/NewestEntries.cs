using StackExchange.Redis;

namespace FleetGrains.Ingestion.RedisStreams;

/// <summary>Reads a stream from its newest entry back, page by page, until enough entries are wanted.</summary>
public static class NewestEntries
{
    private const int Page = 500;

    /// <summary>Up to <paramref name="count"/> entries, newest first, of those <paramref name="parse"/> keeps (null: skipped).</summary>
    public static async Task<List<T>> ReadAsync<T>(IDatabase db, RedisKey stream, int count, Func<StreamEntry, T?> parse)
        where T : class
    {
        var kept = new List<T>();
        RedisValue? before = null;
        while (kept.Count < count)
        {
            var entries = await db.StreamRangeAsync(stream, minId: "-", maxId: before ?? "+", count: Page, messageOrder: Order.Descending);
            foreach (var entry in entries)
            {
                if (before is { } b && entry.Id == b)
                {
                    continue; // the range includes the entry it starts from
                }

                if (parse(entry) is { } item)
                {
                    kept.Add(item);
                    if (kept.Count == count)
                    {
                        break;
                    }
                }
            }

            if (entries.Length < Page)
            {
                break;
            }

            before = entries[^1].Id;
        }

        return kept;
    }
}
