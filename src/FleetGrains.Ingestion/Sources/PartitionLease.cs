using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// The lease that makes a silo the only reader of a partition (a Redis stream, an MQTT partition session): a
/// Redis key <c>{name}:lease</c> holding the owner's name with an expiry. Taken only when free, renewed and
/// released only by its owner; a dead owner's lease expires. Every take and release is also added to the
/// partition's ownership log (<c>{name}:owners</c>).
/// </summary>
public static class PartitionLease
{
    private const string RenewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private const int OwnershipLogLength = 1000;

    public static string LeaseKey(string name) => $"{name}:lease";

    public static string OwnershipLogKey(string name) => $"{name}:owners";

    public static async Task<bool> TryTakeAsync(IDatabase db, string name, string owner, TimeSpan duration)
    {
        if (!await db.StringSetAsync(LeaseKey(name), owner, duration, When.NotExists))
        {
            return false;
        }

        await LogAsync(db, name, owner, "taken");
        return true;
    }

    /// <summary>False when the lease is no longer this owner's (it expired and may be someone else's now).</summary>
    public static async Task<bool> RenewAsync(IDatabase db, string name, string owner, TimeSpan duration) =>
        (long)await db.ScriptEvaluateAsync(RenewScript, [LeaseKey(name)], [owner, (long)duration.TotalMilliseconds]) == 1;

    public static async Task ReleaseAsync(IDatabase db, string name, string owner)
    {
        // Logged first: once the key is gone another silo may take the lease and log that.
        await LogAsync(db, name, owner, "released");
        await db.ScriptEvaluateAsync(ReleaseScript, [LeaseKey(name)], [owner]);
    }

    public static async Task<string?> OwnerAsync(IDatabase db, string name) => await db.StringGetAsync(LeaseKey(name));

    private static Task LogAsync(IDatabase db, string name, string owner, string change) =>
        db.StreamAddAsync(
            OwnershipLogKey(name),
            [new NameValueEntry("owner", owner), new NameValueEntry("change", change)],
            maxLength: OwnershipLogLength,
            useApproximateMaxLength: true);
}
