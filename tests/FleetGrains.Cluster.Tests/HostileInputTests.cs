using System.Diagnostics;
using System.Net;
using System.Text;
using FleetGrains.Ingestion.Mqtt;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Tests.Fuzz;
using FleetGrains.LocalServers;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// Hostile input on real servers: poison entries ahead of valid ones in Redis Streams partitions and first on an
/// MQTT topic, generated hostile batches through both sources, and operator reads while a silo dies.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : RedisAndMqttServers
{
    private const int ValidPerDevice = 101;

    /// <summary>One poison event of each class that used to stop a partition for ever, for <paramref name="deviceId"/>.</summary>
    private static IEnumerable<(string Class, byte[] Payload)> Poison(string fleetId, string deviceId, long ts) =>
    [
        ("invalid UTF-8", [.. Encoding.UTF8.GetBytes($"{{\"fleetId\":\"{fleetId}\",\"deviceId\":\"{deviceId}"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes($"\",\"ts\":{ts},\"seq\":0,\"values\":[1,2,3]}}")]),
        ("unpaired surrogate", Encoding.UTF8.GetBytes($$"""{"fleetId":"{{fleetId}}","deviceId":"{{deviceId}}\ud800","ts":{{ts}},"seq":0,"values":[1,2,3]}""")),
        ("ts overflow", Encoding.UTF8.GetBytes($$"""{"fleetId":"{{fleetId}}","deviceId":"{{deviceId}}","ts":9223372036854775807,"seq":0,"values":[1,2,3]}""")),
        ("seq 2^63-1", Encoding.UTF8.GetBytes($$"""{"fleetId":"{{fleetId}}","deviceId":"{{deviceId}}","ts":{{ts}},"seq":9223372036854775807,"values":[1,2,3]}""")),
    ];

    [Fact]
    public async Task PoisonOfEveryClass_AheadOfValidEvents_InThreePartitionsAndOnAnMqttTopic_IsDeadLettered_AndEveryValidEventIsApplied()
    {
        const string Fleet = "poison-classes";
        var settings = Settings($"poison-{Guid.NewGuid():N}");
        Silos.Add(await SiloProcess.StartAsync("silo0", settings));
        using var redis = await ClusterHarness.ConnectAsync(Redis);
        var db = redis.GetDatabase();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;

        // Four devices in four partitions: three get the poison first, the fourth is the control.
        var devices = DevicesInDistinctPartitions(Fleet, 4);
        var poisoned = devices.Take(3).ToList();
        var stopwatch = Stopwatch.StartNew();
        foreach (var (device, stream) in poisoned)
        {
            foreach (var (_, payload) in Poison(Fleet, device, ts))
            {
                await db.StreamAddAsync(stream, "event", payload);
            }
        }

        await PublishAsync(Fleet, Poison(Fleet, "m1", ts).Select(p => ("m1", p.Payload)));
        foreach (var (device, stream) in devices)
        {
            for (var seq = 0; seq < ValidPerDevice; seq++)
            {
                await db.StreamAddAsync(stream, "event", ClusterHarness.Event(Fleet, device, seq, ts + seq));
            }
        }

        await PublishAsync(Fleet, Enumerable.Range(0, ValidPerDevice).Select(seq => ("m1", Encoding.UTF8.GetBytes(ClusterHarness.Event(Fleet, "m1", seq, ts + seq)))));

        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(60), () => ClusterHarness.Logs([.. Silos]));
        await WaitForDeviceAsync(Fleet, "m1", ValidPerDevice);
        var drained = stopwatch.Elapsed;
        foreach (var device in devices.Select(d => d.Device).Append("m1"))
        {
            var view = await Silos[0].GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/{device}");
            Assert.Equal((ValidPerDevice, ValidPerDevice - 1L, 0L), (view.Counters.Accepted, view.LastSeq, view.Counters.Duplicates));
        }

        var letters = await Silos[0].GetJsonAsync<List<DeadLetterView>>("/api/deadletters?count=100");
        foreach (var (_, stream) in poisoned)
        {
            var own = letters.Where(l => l.Source == PartitionConsumer.SourceName && l.Position.StartsWith($"{stream}/", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, own.Count);
            Assert.All(own, l => Assert.EndsWith("#0", l.Position));
            AssertReasons(own);
        }

        var mqtt = letters.Where(l => l.Source == MqttSource.SourceName).ToList();
        Assert.Equal(4, mqtt.Count);
        Assert.All(mqtt, l => Assert.Equal($"{MqttTopic.For(Fleet, "m1")}#0", l.Position));
        AssertReasons(mqtt);
        Assert.DoesNotContain(letters, l => l.Position.StartsWith($"{devices[3].Stream}/", StringComparison.Ordinal)); // the control partition
        output.WriteLine($"poison of 4 classes in 3 partitions and on 1 topic dead-lettered, {5 * ValidPerDevice} valid events applied, in {drained.TotalSeconds:F1} s");

        static void AssertReasons(List<DeadLetterView> letters)
        {
            Assert.Equal(2, letters.Count(l => l.Reason.Contains("is not valid text", StringComparison.Ordinal)));
            Assert.Single(letters, l => l.Reason.Contains("ahead of the server clock", StringComparison.Ordinal));
            Assert.Single(letters, l => l.Reason.Contains("seq 9223372036854775807 is above", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task GeneratedHostileBatches_ThroughRedisStreamsAndMqtt_NeverStopASource_AndEveryValidEventIsApplied()
    {
        const int Batches = 60;
        var settings = Settings($"fuzz-{Guid.NewGuid():N}");
        Silos.Add(await SiloProcess.StartAsync("silo0", settings));
        using var redis = await ClusterHarness.ConnectAsync(Redis);
        var db = redis.GetDatabase();
        var valid = new List<string>();
        var messages = new List<(string Device, byte[] Payload)>();
        for (var i = 0; i < Batches; i++)
        {
            // Streams: NDJSON batches of three valid events and one hostile one, on partitions by batch.
            var body = new HostileTelemetry(20_000 + i).NextBody(validEvents: 3, hostileEvents: 1, ndjson: true, prefix: $"s{i}");
            valid.AddRange(body.ValidDevices);
            await db.StreamAddAsync(StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, i % ClusterHarness.Partitions), "events", body.Bytes);

            // MQTT: a hostile message first on a device's topic, then a valid one.
            var device = $"m{i}";
            messages.Add((device, new HostileTelemetry(30_000 + i).NextEvent(device, HostileTelemetry.Now).Bytes));
            messages.Add((device, Encoding.UTF8.GetBytes(HostileTelemetry.ValidEvent(HostileTelemetry.Fleet, device, 1, HostileTelemetry.Now))));
        }

        await PublishAsync(HostileTelemetry.Fleet, messages);
        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. Silos]));
        foreach (var device in messages.Select(m => m.Device).Distinct())
        {
            await WaitForDeviceAsync(HostileTelemetry.Fleet, device, expected: 1, atLeast: true);
        }

        foreach (var device in valid)
        {
            var view = await Silos[0].GetJsonAsync<DeviceView>($"/api/devices/{HostileTelemetry.Fleet}/{device}");
            Assert.Equal(1L, view.Counters.Accepted);
        }

        Assert.False(Silos[0].HasExited);
        // Payloads are bounded (Fleet:Ingestion:MaxBodyBytes, values per event), so hostile ones cannot make the silo grow.
        Assert.True(Silos[0].PeakWorkingSet < 1L << 30, $"the silo's peak working set was {Silos[0].PeakWorkingSet >> 20} MiB");
    }

    [Fact]
    public async Task ReadingAndWritingDevices_WhileASiloDies_IsNever500_And503CarriesRetryAfter()
    {
        const string Fleet = "reads";
        const int Devices = 600;
        var settings = ClusterHarness.RedisCluster(Redis, $"reads-{Guid.NewGuid():N}", streams: false);
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        var body = string.Join('\n', Enumerable.Range(0, Devices).SelectMany(d => Enumerable.Range(0, 5).Select(seq => ClusterHarness.Event(Fleet, ClusterHarness.Device(d), seq, ts + seq))));
        var ingest = await Silos[0].Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);

        // A second fleet's devices get telemetry during the move too: what cannot be applied is a 503 to send again.
        var other = string.Join('\n', Enumerable.Range(0, Devices).SelectMany(d => Enumerable.Range(0, 5).Select(seq => ClusterHarness.Event("writes", ClusterHarness.Device(d), seq, ts + seq))));
        Assert.Equal(HttpStatusCode.Accepted, (await Silos[0].Http.PostAsync("/api/telemetry", new StringContent(other, Encoding.UTF8, "application/x-ndjson"))).StatusCode);

        using var reader = new HttpClient { BaseAddress = Silos[0].Http.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        reader.DefaultRequestHeaders.Add(SiloProcess.ApiKeyHeader, SiloProcess.AdminKey);
        var statuses = new Dictionary<int, int>();
        var ingestStatuses = new Dictionary<int, int>();
        var withoutRetryAfter = 0;
        await Silos[2].KillAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var allOk = false;
        var passes = 0;
        while (!allOk && DateTime.UtcNow < deadline)
        {
            passes++;
            var answers = await Task.WhenAll(Enumerable.Range(0, Devices).Select(async d =>
            {
                using var response = await reader.GetAsync($"/api/devices/{Fleet}/{ClusterHarness.Device(d)}");
                return ((int)response.StatusCode, response.Headers.RetryAfter is not null);
            }));
            foreach (var (status, retryAfter) in answers)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                withoutRetryAfter += status == 503 && !retryAfter ? 1 : 0;
            }

            allOk = answers.All(a => a.Item1 == 200);

            var seq = 4 + passes;
            var batch = string.Join('\n', Enumerable.Range(0, Devices).Select(d => ClusterHarness.Event("writes", ClusterHarness.Device(d), seq, ts + seq)));
            using var written = await reader.PostAsync("/api/telemetry", new StringContent(batch, Encoding.UTF8, "application/x-ndjson"));
            ingestStatuses[(int)written.StatusCode] = ingestStatuses.GetValueOrDefault((int)written.StatusCode) + 1;
            withoutRetryAfter += written.StatusCode == HttpStatusCode.ServiceUnavailable && written.Headers.RetryAfter is null ? 1 : 0;
        }

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        var ingestSummary = string.Join(", ", ingestStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"reads of {Devices} devices after the kill, {passes} passes: {summary}; ingest batches: {ingestSummary}");
        Assert.True(allOk, $"not every device was readable again within 90 s ({passes} passes; {summary})\n{ClusterHarness.Logs(Silos[0])}");
        Assert.True(statuses.Keys.All(s => s is 200 or 503), $"answers other than 200 and 503: {summary}");
        Assert.True(ingestStatuses.Keys.All(s => s is 202 or 503), $"ingest answers other than 202 and 503: {ingestSummary}");
        Assert.Equal(0, withoutRetryAfter);
        await ClusterHarness.AssertDevicesAsync(Silos[0], Fleet, Devices, 5, 4);
    }

    private Dictionary<string, string> Settings(string clusterId)
    {
        var settings = ClusterHarness.RedisCluster(Redis, clusterId);
        settings["Fleet:Sources:Mqtt:Enabled"] = "true";
        settings["Fleet:Sources:Mqtt:Port"] = Broker.Port.ToString();
        return settings;
    }

    private static List<(string Device, string Stream)> DevicesInDistinctPartitions(string fleetId, int count)
    {
        var found = new List<(string, string)>();
        var partitions = new HashSet<int>();
        for (var i = 0; found.Count < count; i++)
        {
            var device = $"dev{i}";
            if (partitions.Add(StreamPartitioner.PartitionOf(fleetId, device, ClusterHarness.Partitions)))
            {
                found.Add((device, StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, StreamPartitioner.PartitionOf(fleetId, device, ClusterHarness.Partitions))));
            }
        }

        return found;
    }

    private async Task WaitForDeviceAsync(string fleetId, string device, long expected, bool atLeast = false) =>
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            using var response = await Silos[0].Http.GetAsync($"/api/devices/{fleetId}/{device}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            var view = System.Text.Json.JsonSerializer.Deserialize<DeviceView>(await response.Content.ReadAsStringAsync(), SiloProcess.Json)!;
            return atLeast ? view.Counters.Accepted >= expected : view.Counters.Accepted == expected;
        }, TimeSpan.FromSeconds(60));
}
