using FleetGrains.Ingestion.Mqtt;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>Silo processes reading MQTT telemetry from a real mosquitto: through one shared subscription, or through partitions that keep a device's order.</summary>
public sealed class MqttSourceTests : RedisAndMqttServers
{
    [Fact]
    public async Task Shared_TenThousandMessagesFromManyPublishers_AtQos1_AreEachAppliedExactlyOnce_AcrossTwoSilos()
    {
        const string Fleet = "mqtt";
        const int Publishers = 20, DevicesPerPublisher = 5, PerDevice = 100;
        const int Devices = Publishers * DevicesPerPublisher;
        var settings = ClusterHarness.RedisCluster(Redis, $"mqtt-{Guid.NewGuid():N}", streams: false);
        settings["Fleet:Sources:Mqtt:Enabled"] = "true";
        settings["Fleet:Sources:Mqtt:Host"] = "127.0.0.1";
        settings["Fleet:Sources:Mqtt:Port"] = Broker.Port.ToString();
        settings["Fleet:Sources:Mqtt:Mode"] = "Shared";
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await Task.Delay(TimeSpan.FromSeconds(1)); // both subscriptions in place before the first message

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (10L * PerDevice);
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => PublishFromAsync(p, ts)));

        // Half the messages leave the ids to the topic, half repeat them.
        Task PublishFromAsync(int publisher, long start) => PublishAsync(Fleet, Enumerable.Range(0, PerDevice).SelectMany(seq =>
            Enumerable.Range(0, DevicesPerPublisher).Select(d =>
            {
                var device = ClusterHarness.Device((publisher * DevicesPerPublisher) + d);
                var payload = d % 2 == 0 ? ClusterHarness.Event(Fleet, device, seq, start + seq) : $$"""{"ts":{{start + seq}},"seq":{{seq}},"values":[1,2,3]}""";
                return (device, System.Text.Encoding.UTF8.GetBytes(payload));
            })));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        SourcesView sources;
        do
        {
            await Task.Delay(250);
            sources = await Silos[0].GetJsonAsync<SourcesView>("/api/sources");
        }
        while (Accepted(sources.Counters) < Devices * PerDevice && DateTime.UtcNow < deadline);

        Assert.Equal(Devices * PerDevice, Accepted(sources.Counters));
        await ClusterHarness.AssertDevicesAsync(Silos[0], Fleet, Devices, PerDevice, PerDevice - 1);
        foreach (var silo in Silos)
        {
            var own = await silo.GetJsonAsync<SourcesView>("/api/sources");
            Assert.True(Accepted(own.ThisSilo) > 0, $"{silo.Name} received no messages: the subscription is not shared");
        }

        Assert.Empty(await Silos[0].GetJsonAsync<List<DeadLetterView>>("/api/deadletters?source=mqtt"));
    }

    [Fact]
    public async Task Partitioned_TwoFleetsOnTwoSilos_EveryDevicesMessagesAreAppliedOnceAndInOrder()
    {
        const int DevicesPerFleet = 25, PerDevice = 100;
        string[] fleets = ["order-a", "order-b"];
        var settings = Partitioned($"order-{Guid.NewGuid():N}");
        settings["Fleet:Sources:Mqtt:Partitions:0"] = MqttTopic.For(fleets[0], "+");
        settings["Fleet:Sources:Mqtt:Partitions:1"] = MqttTopic.For(fleets[1], "+");
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await WaitForOwnersAsync(2);

        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (10L * PerDevice);
        await Task.WhenAll(fleets.Select(fleet => PublishInOrderAsync(fleet, DevicesPerFleet, 0, PerDevice, ts)));

        foreach (var fleet in fleets)
        {
            await WaitAppliedAsync(fleet, DevicesPerFleet, PerDevice);
        }

        foreach (var silo in Silos)
        {
            var own = await silo.GetJsonAsync<SourcesView>("/api/sources");
            Assert.True(Accepted(own.ThisSilo) > 0, $"{silo.Name} read no partition");
        }
    }

    [Fact]
    public async Task Partitioned_KillingThePartitionsReader_MovesItToTheOtherSilo_LosingAndReorderingNothing()
    {
        const string Fleet = "takeover";
        const int Devices = 20, PerDevice = 200;
        var settings = Partitioned($"takeover-{Guid.NewGuid():N}");
        Silos.AddRange(await Task.WhenAll(Enumerable.Range(0, 2).Select(i => SiloProcess.StartAsync($"silo{i}", settings))));
        await WaitForOwnersAsync(1);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (10L * PerDevice);

        await PublishInOrderAsync(Fleet, Devices, 0, PerDevice / 2, ts);
        var owner = await OwnerAsync();
        await owner.KillAsync();
        await PublishInOrderAsync(Fleet, Devices, PerDevice / 2, PerDevice, ts);

        await WaitAppliedAsync(Fleet, Devices, PerDevice);
        var survivor = Silos.Single(s => s != owner);
        Assert.True(Accepted((await survivor.GetJsonAsync<SourcesView>("/api/sources")).ThisSilo) > 0, "the survivor never took the partition");
    }

    private Dictionary<string, string> Partitioned(string clusterId)
    {
        var settings = ClusterHarness.RedisCluster(Redis, clusterId, streams: false);
        settings["Fleet:Sources:Mqtt:Enabled"] = "true";
        settings["Fleet:Sources:Mqtt:Port"] = Broker.Port.ToString();
        settings["Fleet:Sources:Mqtt:LeaseDuration"] = "00:00:03";
        settings["Fleet:Sources:Mqtt:RebalanceInterval"] = "00:00:00.500";
        return settings;
    }

    // Until the partitions' leases are all held: their sessions exist and keep what is published from then on.
    private async Task WaitForOwnersAsync(int partitions)
    {
        using var redis = await ClusterHarness.ConnectAsync(Redis);
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            for (var p = 0; p < partitions; p++)
            {
                if (await FleetGrains.Ingestion.Sources.PartitionLease.OwnerAsync(redis.GetDatabase(), MqttSource.PartitionLeaseName("fleetgrains", p)) is null)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the owners' subscriptions follow their leases
    }

    private async Task<SiloProcess> OwnerAsync()
    {
        using var redis = await ClusterHarness.ConnectAsync(Redis);
        var owner = (string?)await FleetGrains.Ingestion.Sources.PartitionLease.OwnerAsync(redis.GetDatabase(), MqttSource.PartitionLeaseName("fleetgrains", 0));
        foreach (var silo in Silos)
        {
            if ((await silo.GetJsonAsync<SourcesView>("/api/sources")).Silo == owner)
            {
                return silo;
            }
        }

        throw new InvalidOperationException($"no silo is the partition's owner {owner}");
    }

        // One publisher per device, each publishing its events in seq order, all devices at once.
    private async Task PublishInOrderAsync(string fleetId, int devices, int fromSeq, int toSeq, long ts) =>
        await Task.WhenAll(Enumerable.Range(0, devices).Select(d => PublishAsync(fleetId, Enumerable.Range(fromSeq, toSeq - fromSeq)
            .Select(seq => (ClusterHarness.Device(d), System.Text.Encoding.UTF8.GetBytes(ClusterHarness.Event(fleetId, ClusterHarness.Device(d), seq, ts + seq)))))));

    // Every device applied every event exactly once, none of them late (out of order), and nothing was dead-lettered.
    private async Task WaitAppliedAsync(string fleetId, int devices, int perDevice)
    {
        var reader = Silos.First(s => !s.HasExited);
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            using var response = await reader.Http.GetAsync($"/api/devices/{fleetId}/{ClusterHarness.Device(devices - 1)}");
            return response.IsSuccessStatusCode
                && System.Text.Json.JsonSerializer.Deserialize<DeviceView>(await response.Content.ReadAsStringAsync(), SiloProcess.Json)!.Counters.Accepted >= perDevice;
        }, TimeSpan.FromSeconds(120));
        var wrong = new List<string>();
        for (var d = 0; d < devices; d++)
        {
            await ClusterHarness.WaitUntilAsync(async () => (await reader.GetJsonAsync<DeviceView>($"/api/devices/{fleetId}/{ClusterHarness.Device(d)}")).Counters.Accepted >= perDevice, TimeSpan.FromSeconds(60));
            var view = await reader.GetJsonAsync<DeviceView>($"/api/devices/{fleetId}/{ClusterHarness.Device(d)}");
            if (view.Counters.Accepted != perDevice || view.LastSeq != perDevice - 1 || view.Counters.Late != 0)
            {
                wrong.Add($"{view.DeviceId}: accepted {view.Counters.Accepted}, last seq {view.LastSeq}, late {view.Counters.Late}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {devices} devices of {fleetId}: {string.Join("; ", wrong.Take(10))}\n{ClusterHarness.Logs([.. Silos])}");
        Assert.Empty(await reader.GetJsonAsync<List<DeadLetterView>>("/api/deadletters?source=mqtt"));
    }

    private static long Accepted(IReadOnlyList<SourceCountsView> counters) =>
        counters.Where(c => c.Source == MqttSource.SourceName).Sum(c => c.Accepted);
}
