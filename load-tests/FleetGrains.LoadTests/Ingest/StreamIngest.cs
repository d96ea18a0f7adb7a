using System.Globalization;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.LocalServers;
using StackExchange.Redis;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// A workload as Redis Streams entries, in the documented format: each device's events on its partition
/// (<see cref="StreamPartitioner"/>), first its warm-up event (field <c>event</c>), then one entry per round with
/// that round's events (field <c>events</c>, NDJSON). Produced before a silo reads, so producing does not compete
/// with reading; a silo's drain is measured on the consumer groups in Redis.
/// </summary>
public sealed class StreamIngest(IDatabase db, IngestWorkload workload, int partitions)
{
    public const string Prefix = "fleet:telemetry";
    public const string SiloGroup = "fleetgrains";

    public long WarmupEntries => workload.Devices;

    public long Entries => workload.Devices * (1L + workload.Rounds);

    public IEnumerable<string> Streams => Enumerable.Range(0, partitions).Select(p => StreamPartitioner.StreamKey(Prefix, p));

    /// <summary>Adds to a silo's settings what makes it read these streams from <paramref name="redis"/>.</summary>
    public void ReadBy(Dictionary<string, string> settings, string redis, int readCount)
    {
        settings["Fleet:Sources:Redis"] = redis;
        settings["Fleet:Sources:RedisStreams:Enabled"] = "true";
        settings["Fleet:Sources:RedisStreams:StreamPrefix"] = Prefix;
        settings["Fleet:Sources:RedisStreams:ConsumerGroup"] = SiloGroup;
        settings["Fleet:Sources:RedisStreams:Partitions"] = partitions.ToString(CultureInfo.InvariantCulture);
        settings["Fleet:Sources:RedisStreams:ReadCount"] = readCount.ToString(CultureInfo.InvariantCulture);
    }

    public async Task ProduceAsync()
    {
        var streams = Enumerable.Range(0, workload.Devices)
            .Select(d => StreamPartitioner.StreamKey(Prefix, StreamPartitioner.PartitionOf(workload.FleetId, IngestWorkload.DeviceId(d), partitions)))
            .ToArray();
        var adds = new List<Task>();
        async Task FlushAsync(int atLeast)
        {
            if (adds.Count >= atLeast)
            {
                await Task.WhenAll(adds);
                adds.Clear();
            }
        }

        for (var d = 0; d < workload.Devices; d++)
        {
            adds.Add(db.StreamAddAsync(streams[d], workload.SingleEventField, workload.Event(d, 0)));
            await FlushAsync(10_000);
        }

        for (var round = 0; round < workload.Rounds; round++)
        {
            for (var d = 0; d < workload.Devices; d++)
            {
                adds.Add(db.StreamAddAsync(streams[d], workload.BatchField, workload.DeviceBatch(d, round)));
                await FlushAsync(10_000);
            }
        }

        await FlushAsync(1);
    }

    /// <summary>Entries of every partition that <paramref name="group"/> has read and acknowledged.</summary>
    public async Task<long> AcknowledgedAsync(string group)
    {
        var acknowledged = 0L;
        foreach (var stream in Streams)
        {
            var info = (await db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == group);
            if (info.Name is not null)
            {
                acknowledged += (info.EntriesRead ?? 0) - info.PendingMessageCount;
            }
        }

        return acknowledged;
    }

    /// <summary>Measures a silo reading the streams (<see cref="SiloDrain"/>): done means acknowledged in the silos' group.</summary>
    public Task<IngestRun> MeasureSiloDrainAsync(string mode, SiloProcess silo, TimeSpan timeout) =>
        SiloDrain.MeasureAsync(mode, silo, workload, WarmupEntries, Entries, () => AcknowledgedAsync(SiloGroup), timeout);
}
