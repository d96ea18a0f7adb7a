using System.Text;
using System.Text.RegularExpressions;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.Cli;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.Ingestion.Tests.Fuzz;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>A silo process reads an Event Hub (the in-process test double, real AMQP) and checkpoints in a real redis-server.</summary>
public sealed class EventHubsSourceTests() : EventHubsSiloTests(PartitionCount)
{
    private const int PartitionCount = 4;

    [Fact]
    public async Task EveryEventOfEveryFormatIsApplied_CheckpointsFollow_AndPoisonIsDeadLetteredWithItsPosition()
    {
        const string Fleet = "eventhubs";
        const int Devices = 200, PerDevice = 20;
        var silo = await SiloProcess.StartAsync("silo0", EventHubsHarness.Settings(Hub, Redis));
        Silos.Add(silo);
        await using var producer = EventHubsHarness.Producer(Hub);

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var toPartition0 = new SendEventOptions { PartitionId = "0" };
        await producer.SendAsync([new EventData(Encoding.UTF8.GetBytes("this is not json"))], toPartition0);
        await producer.SendAsync([new EventData(ReadOnlyMemory<byte>.Empty)], toPartition0);
        await producer.SendAsync(
            [EventHubsHarness.Json($"{ClusterHarness.Event(Fleet, "p1", 0, ts)}\n{{\"fleetId\":\"{Fleet}\",\"deviceId\":\"p1\",\"ts\":{ts},\"seq\":\"one\",\"values\":[1,2,3]}}")],
            toPartition0);
        // As IoT Hub routes a device's message: the device in a system annotation, the fleet in an application property
        // (a message enrichment), neither in the body.
        Hub.Append("1", Encoding.UTF8.GetBytes($$"""{"ts":{{ts}},"seq":5,"values":[1,2,3]}"""), new Dictionary<string, object> { ["fleetId"] = Fleet }, new Dictionary<string, object> { ["iothub-connection-device-id"] = "iot-7" });
        Assert.Equal(Devices * PerDevice, await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice));

        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. Silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, PerDevice, PerDevice - 1);
        var p1 = await silo.GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/p1");
        Assert.Equal((1L, 0L), (p1.Counters.Accepted, p1.LastSeq));
        var iot = await silo.GetJsonAsync<DeviceView>($"/api/devices/{Fleet}/iot-7");
        Assert.Equal((1L, 5L), (iot.Counters.Accepted, iot.LastSeq));

        var letters = await silo.GetJsonAsync<List<DeadLetterView>>($"/api/deadletters?source={EventHubsSource.SourceName}");
        Assert.Equal(3, letters.Count);
        Assert.Contains(letters, l => l.Position == "telemetry/0@0" && l.Reason.Contains("JSON", StringComparison.Ordinal) && l.Payload == "this is not json");
        Assert.Contains(letters, l => l.Position == "telemetry/0@1");
        Assert.Contains(letters, l => l.Position == "telemetry/0@2#1" && l.Reason.Contains("seq must be an integer", StringComparison.Ordinal));

        var counters = (await silo.GetJsonAsync<EventHubsSourcesView>("/api/sources")).Counters.Single(c => c.Source == EventHubsSource.SourceName);
        Assert.Equal(((long)(Devices * PerDevice) + 2, 3L), (counters.Accepted, counters.DeadLettered));
        await ClusterHarness.WaitUntilAsync(
            async () => (await silo.GetJsonAsync<EventHubsSourcesView>("/api/sources")).EventHubs is { Count: PartitionCount } partitions && partitions.All(p => p.Lag == 0),
            TimeSpan.FromSeconds(30));
        var metrics = await silo.Http.GetStringAsync("/metrics");
        Assert.Matches(new Regex("fleet_source_lag\\{[^}]*source=\"eventhubs\"[^}]*\\} 0"), metrics);

        using var http = new HttpClient();
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await FleetCtl.RunAsync(["--url", silo.Http.BaseAddress!.ToString(), "--key", SiloProcess.AdminKey, "sources"], http, output, error));
        Assert.Contains("Event Hubs partitions read by silo", output.ToString());
        Assert.Matches(new Regex(@"^telemetry\s+3\s+\d+\s+\d+\s+0\s*$", RegexOptions.Multiline), output.ToString());
    }

    [Fact]
    public async Task TheHubCrashingAndComingBack_TheSiloCarriesOn_WithoutARestart_LosingAndDoublingNothing()
    {
        const string Fleet = "eventhubs-outage";
        const int Devices = 100, PerDevice = 20;
        var silo = await SiloProcess.StartAsync("silo0", EventHubsHarness.Settings(Hub, Redis));
        Silos.Add(silo);

        await using (var producer = EventHubsHarness.Producer(Hub))
        {
            await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice);
        }

        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. Silos]));
        await Hub.RestartAsync(TimeSpan.FromSeconds(3));
        await using (var producer = EventHubsHarness.Producer(Hub))
        {
            await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice, firstSeq: PerDevice);
        }

        // The receivers' connections broke without a word: they notice when their wait for events ends (ReceiveWaitTime,
        // 5 s), not after the SDK's default minute.
        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(40), () => ClusterHarness.Logs([.. Silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, 2 * PerDevice, (2 * PerDevice) - 1);
        Assert.False(silo.HasExited, silo.Output);
    }

    [Fact]
    public async Task GeneratedHostileEventsAndProperties_NeverStopAPartition_AndEveryValidEventIsApplied()
    {
        const int Rounds = 40;
        var silo = await SiloProcess.StartAsync("silo0", EventHubsHarness.Settings(Hub, Redis));
        Silos.Add(silo);
        await using var producer = EventHubsHarness.Producer(Hub);
        object[] hostileDeviceIds = ["", new string('x', 5000), 42, true, new byte[] { 1, 2, 3 }, "a/b", "\u0000", Guid.Empty, 1.5e300];
        var valid = new List<string>();
        for (var i = 0; i < Rounds; i++)
        {
            // NDJSON of three valid events and a hostile one; a hostile event alone with a hostile device property; a
            // valid event naming its device only in the property; bytes that claim to be a binary batch; spread by key.
            var body = new HostileTelemetry(60_000 + i).NextBody(validEvents: 3, hostileEvents: 1, ndjson: true, prefix: $"e{i}");
            valid.AddRange(body.ValidDevices);
            await producer.SendAsync([new EventData(body.Bytes)], new SendEventOptions { PartitionKey = $"batch{i}" });
            var device = $"h{i}";
            var hostile = new EventData(new HostileTelemetry(70_000 + i).NextEvent(device, HostileTelemetry.Now).Bytes);
            hostile.Properties["iothub-connection-device-id"] = hostileDeviceIds[i % hostileDeviceIds.Length];
            hostile.Properties["fleetId"] = hostileDeviceIds[(i + 3) % hostileDeviceIds.Length];
            var byProperty = new EventData(Encoding.UTF8.GetBytes($$"""{"ts":{{HostileTelemetry.Now}},"seq":1,"values":[1,2,3]}"""));
            byProperty.Properties["iothub-connection-device-id"] = device;
            byProperty.Properties["fleetId"] = HostileTelemetry.Fleet;
            var garbage = new byte[1 + (i * 37 % 300)];
            new Random(i).NextBytes(garbage);
            await producer.SendAsync([hostile, byProperty, new EventData(garbage) { ContentType = FleetGrains.Ingestion.Binary.BinaryBatchDecoder.ContentType }], new SendEventOptions { PartitionKey = device });
            valid.Add(device);
        }

        await EventHubsHarness.WaitCheckpointedAsync(Hub, Redis, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. Silos]));
        foreach (var device in valid)
        {
            var view = await silo.GetJsonAsync<DeviceView>($"/api/devices/{HostileTelemetry.Fleet}/{device}");
            Assert.True(view.Counters.Accepted >= 1, $"{device}: nothing accepted");
        }

        Assert.False(silo.HasExited, silo.Output);
        Assert.True(silo.PeakWorkingSet < 1L << 30, $"the silo's peak working set was {silo.PeakWorkingSet >> 20} MiB");
    }
}
