using System.Text;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using FleetGrains.LocalServers;
using Google.Protobuf;
using StackExchange.Redis;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace FleetGrains.Cluster.Tests;

/// <summary>What the proof tests share: the production configuration of a Redis cluster, producing telemetry, waiting, checking devices.</summary>
public static class ClusterHarness
{
    public const int Partitions = 8;
    public const string StreamPrefix = "fleet:telemetry";

    /// <summary>Redis clustering, storage and reminders, the Redis Streams source; short leases and rebalancing so tests move quickly.</summary>
    public static Dictionary<string, string> RedisCluster(RedisServer redis, string clusterId, bool streams = true) => new()
    {
        ["Fleet:Cluster:ClusterId"] = clusterId,
        ["Fleet:Cluster:Clustering"] = "Redis",
        ["Fleet:Cluster:Storage"] = "Redis",
        ["Fleet:Cluster:Reminders"] = "Redis",
        ["Fleet:Cluster:Redis"] = redis.ConnectionString,
        ["Fleet:Sources:RedisStreams:Enabled"] = streams ? "true" : "false",
        ["Fleet:Sources:RedisStreams:Partitions"] = Partitions.ToString(),
        ["Fleet:Sources:RedisStreams:LeaseDuration"] = "00:00:03",
        ["Fleet:Sources:RedisStreams:RebalanceInterval"] = "00:00:00.500",
        ["Fleet:Sources:MaxAttempts"] = "60",
    };

    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisServer redis)
    {
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public static string Event(string fleetId, string deviceId, long seq, long ts) =>
        $$"""{"fleetId":"{{fleetId}}","deviceId":"{{deviceId}}","ts":{{ts}},"seq":{{seq}},"values":[{{seq % 7}},{{1 + (seq % 3)}},0.5]}""";

    public static string Device(int i) => $"d{i:D4}";

    /// <summary>The events <see cref="Event"/> makes for seq <paramref name="from"/> to <paramref name="to"/> (excluded), as one binary block.</summary>
    public static byte[] BinaryBatch(string fleetId, string deviceId, long from, long to, long ts)
    {
        var block = new DeviceBlock { FleetId = fleetId, DeviceId = deviceId, Features = 3 };
        for (var seq = from; seq < to; seq++)
        {
            block.Seq.Add(seq);
            block.Ts.Add(ts + seq);
            block.Values.Add([seq % 7, 1 + (seq % 3), 0.5f]);
        }

        return new TelemetryBatch { Devices = { block } }.ToByteArray();
    }

    /// <summary>
    /// Adds <paramref name="perDevice"/> events (seq 0…) for each device to its partition, in seq order, in the formats
    /// of <see cref="ProduceInRoundsAsync"/> (stream fields "event", "events", "batch"). Returns the number of events added.
    /// </summary>
    public static Task<int> ProduceAsync(IDatabase db, string fleetId, int devices, int perDevice, int firstSeq = 0, CancellationToken cancellationToken = default) =>
        ProduceInRoundsAsync(fleetId, devices, perDevice, firstSeq, payload =>
        {
            var stream = StreamPartitioner.StreamKey(StreamPrefix, StreamPartitioner.PartitionOf(fleetId, payload.DeviceId, Partitions));
            var field = payload.Format switch { PayloadFormat.Single => "event", PayloadFormat.Ndjson => "events", _ => "batch" };
            return payload.Bodies.Select(body => (Task)db.StreamAddAsync(stream, field, body));
        }, cancellationToken);

    /// <summary>
    /// The workload every delivery proof sends, whatever the source: <paramref name="perDevice"/> events (seq from
    /// <paramref name="firstSeq"/>) per device, in rounds of ten seqs, each round's sends awaited before the next (so a
    /// device's events arrive in order). Devices with an even index send one event per message, devices 1, 5, 9… NDJSON
    /// of up to 10, devices 3, 7, 11… binary batches (telemetry_batch.proto), so that every proof holds for each format.
    /// Returns the number of events sent.
    /// </summary>
    public static async Task<int> ProduceInRoundsAsync(
        string fleetId, int devices, int perDevice, int firstSeq, Func<DevicePayload, IEnumerable<Task>> send, CancellationToken cancellationToken = default)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (10L * perDevice);
        var produced = 0;
        for (var seq = firstSeq; seq < firstSeq + perDevice; seq += 10)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sends = new List<Task>();
            for (var d = 0; d < devices; d++)
            {
                var deviceId = Device(d);
                var last = Math.Min(seq + 10, firstSeq + perDevice);
                var events = Enumerable.Range(seq, last - seq).Select(s => Event(fleetId, deviceId, s, ts + s));
                var payload = (d % 4) switch
                {
                    0 or 2 => new DevicePayload(deviceId, PayloadFormat.Single, [.. events.Select(Encoding.UTF8.GetBytes)]),
                    1 => new DevicePayload(deviceId, PayloadFormat.Ndjson, [Encoding.UTF8.GetBytes(string.Join('\n', events))]),
                    _ => new DevicePayload(deviceId, PayloadFormat.Binary, [BinaryBatch(fleetId, deviceId, seq, last, ts)]),
                };
                sends.AddRange(send(payload));
                produced += last - seq;
            }

            await Task.WhenAll(sends);
        }

        return produced;
    }

    /// <summary>Waits until every partition's consumer group has read and acknowledged every entry.</summary>
    public static Task WaitDrainedAsync(IDatabase db, TimeSpan timeout, Func<string>? diagnostics = null) =>
        WaitUntilNothingLeftAsync(
            async () =>
            {
                var left = new StringBuilder();
                for (var p = 0; p < Partitions; p++)
                {
                    var stream = StreamPartitioner.StreamKey(StreamPrefix, p);
                    if (!await db.KeyExistsAsync(stream))
                    {
                        continue;
                    }

                    var group = (await db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == "fleetgrains");
                    if (group.Name is null || group.Lag != 0 || group.PendingMessageCount != 0)
                    {
                        left.Append($"{stream}: lag {group.Lag?.ToString() ?? "?"}, pending {group.PendingMessageCount}; ");
                    }
                }

                return left.ToString();
            },
            timeout,
            "The streams were not drained",
            diagnostics);

    /// <summary>
    /// Asks <paramref name="whatIsLeft"/> four times a second until it answers nothing (an empty text); after
    /// <paramref name="timeout"/>, throws with <paramref name="failure"/>, its last answer and the diagnostics.
    /// </summary>
    public static async Task WaitUntilNothingLeftAsync(Func<Task<string>> whatIsLeft, TimeSpan timeout, string failure, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var left = "";
        while (DateTime.UtcNow < deadline)
        {
            left = await whatIsLeft();
            if (left.Length == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{failure} within {timeout}: {left}\n{diagnostics?.Invoke()}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds; on timeout the exception carries <paramref name="diagnostics"/> (e.g. the silos' logs).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {timeout}.\n{diagnostics?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every device's state shows exactly the events produced for it: the count and the last seq.</summary>
    public static async Task AssertDevicesAsync(SiloProcess silo, string fleetId, int devices, long accepted, long lastSeq)
    {
        var wrong = new List<string>();
        for (var d = 0; d < devices; d++)
        {
            var snapshot = await silo.GetJsonAsync<DeviceView>($"/api/devices/{fleetId}/{Device(d)}");
            if (snapshot.Counters.Accepted != accepted || snapshot.LastSeq != lastSeq)
            {
                wrong.Add($"{Device(d)}: accepted {snapshot.Counters.Accepted}, last seq {snapshot.LastSeq}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {devices} devices differ from {accepted} events up to seq {lastSeq}: {string.Join("; ", wrong.Take(10))}");
    }

    /// <summary>A partition's ownership log, oldest first.</summary>
    public static async Task<List<(string Owner, string Change)>> OwnershipLogAsync(IDatabase db, string stream) =>
        [.. (await db.StreamRangeAsync(PartitionLease.OwnershipLogKey(stream))).Select(e => ((string)e["owner"]!, (string)e["change"]!))];

    public static string Logs(params SiloProcess[] silos) =>
        string.Join("\n", silos.Select(s => $"--- {s.Name} ---\n{Tail(s.Output, 4000)}"));

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];
}

/// <summary>How a device's events of one round are sent (see <see cref="ClusterHarness.ProduceInRoundsAsync"/>).</summary>
public enum PayloadFormat
{
    /// <summary>One JSON event per message.</summary>
    Single,

    /// <summary>One message of NDJSON.</summary>
    Ndjson,

    /// <summary>One binary batch.</summary>
    Binary,
}

/// <summary>A device's messages of one round: one body per message to send, in order.</summary>
public sealed record DevicePayload(string DeviceId, PayloadFormat Format, IReadOnlyList<byte[]> Bodies);

public sealed record DeviceView(string DeviceId, long LastSeq, DeviceCountersView Counters);

public sealed record DeviceCountersView(long Accepted, long Duplicates, long Rejected, long Late);
