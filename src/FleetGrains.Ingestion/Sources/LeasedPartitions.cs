using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Sources;

/// <summary>The reader of one partition of a source; it stops gracefully, after its batch in flight is acknowledged.</summary>
public interface IPartitionReader
{
    int Partition { get; }

    /// <summary>The name of the partition's <see cref="PartitionLease"/>.</summary>
    string LeaseName { get; }

    /// <summary>Ends when the reader stopped.</summary>
    Task Completion { get; }

    void RequestStop();
}

/// <summary>
/// This silo's fair share of a source's partitions (<see cref="PartitionAssignment"/>), each read by one reader
/// while this silo holds its lease. Every rebalance renews the leases held, hands back the partitions that are no
/// longer this silo's share (after their batch in flight), and takes the free leases of those that are, so one
/// partition is never read by two silos at once and a dead silo's partitions move when its leases expire.
/// </summary>
public sealed partial class LeasedPartitions<TReader>(
    string self,
    int partitions,
    Func<int, string> leaseName,
    TimeSpan leaseDuration,
    Func<int, TReader> startReader,
    Action<int> stopped,
    ILogger logger)
    where TReader : IPartitionReader
{
    private readonly Dictionary<int, TReader> _readers = [];

    public IReadOnlyCollection<TReader> Readers => _readers.Values;

    public async Task RebalanceAsync(IDatabase db, IEnumerable<string> activeSilos)
    {
        var mine = PartitionAssignment.PartitionsOf(self, activeSilos, partitions);
        foreach (var (partition, reader) in _readers.ToList())
        {
            if (reader.Completion.IsCompleted || !await PartitionLease.RenewAsync(db, reader.LeaseName, self, leaseDuration))
            {
                LogLeaseLost(logger, reader.LeaseName);
                reader.RequestStop();
                await reader.Completion;
                _readers.Remove(partition);
                stopped(partition);
            }
        }

        await ReleaseAsync(db, [.. _readers.Keys.Where(p => !mine.Contains(p))]);

        foreach (var partition in mine.Where(p => !_readers.ContainsKey(p)).Order())
        {
            if (await PartitionLease.TryTakeAsync(db, leaseName(partition), self, leaseDuration))
            {
                LogTaken(logger, leaseName(partition));
                _readers[partition] = startReader(partition);
            }
        }
    }

    /// <summary>Stops every reader after its batch in flight and hands its lease back (on shutdown).</summary>
    public Task ReleaseAllAsync(IDatabase db) => ReleaseAsync(db, [.. _readers.Keys]);

    // Stops the readers after their batch in flight and hands their leases back, all at once.
    private async Task ReleaseAsync(IDatabase db, int[] released)
    {
        var readers = released.Select(p => _readers[p]).ToList();
        readers.ForEach(r => r.RequestStop());
        await Task.WhenAll(readers.Select(r => r.Completion));
        foreach (var reader in readers)
        {
            await PartitionLease.ReleaseAsync(db, reader.LeaseName, self);
            _readers.Remove(reader.Partition);
            stopped(reader.Partition);
            LogReleased(logger, reader.LeaseName);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took the lease of {Partition}")]
    private static partial void LogTaken(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Partition} to its new owner")]
    private static partial void LogReleased(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease of {Partition} (not renewed in time); stopped reading it")]
    private static partial void LogLeaseLost(ILogger logger, string partition);
}
