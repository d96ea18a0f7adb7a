using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Mqtt;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using FleetGrains.Ingestion.Tls;
using FleetGrains.LocalServers;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Protocol;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// A silo against a redis-server that takes TLS only and an ACL user (the default user off), and a mosquitto
/// that takes TLS only, passwords and an ACL keeping each device to its own topic; certificates from a CA
/// made for the test. The silo's membership, state, streams, leases and MQTT reading all work through them,
/// a device cannot write another's topic, and no password appears in the silo's output or metrics. Binary batches
/// come through both as well (a stream entry's "batch" field, an MQTT 5 content type).
/// </summary>
public sealed class SecuredBrokerLinksTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Fleet = "plant";
    private readonly string _redisPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _silosMqttPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _devicePassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly List<SiloProcess> _silos = [];
    private DirectoryInfo _files = null!;
    private TestCertificates _certificates = null!;
    private RedisServer _redis = null!;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _files = Directory.CreateTempSubdirectory("fleetgrains-secured-");
        _certificates = new TestCertificates(_files.FullName);
        var (redisCertificate, redisKey) = _certificates.Issue("redis");
        var (brokerCertificate, brokerKey) = _certificates.Issue("mosquitto");
        _redis = await RedisServer.StartNewAsync(moreArguments: r =>
        [
            "--port", "0", "--tls-port", r.Port.ToString(), "--tls-cert-file", redisCertificate, "--tls-key-file", redisKey,
            "--tls-ca-cert-file", _certificates.CaFile, "--tls-auth-clients", "no",
            "--user", "default", "off",
            "--user", "fleetgrains", "on", $">{_redisPassword}", "~*", "&*", "+@all",
        ]);

        // The broker's ACL, as deploy/README.md shows it: the silos read every telemetry topic; a device (its user
        // name is its device id) writes its own topic only.
        var passwords = Path.Combine(_files.FullName, "passwords");
        await RunAsync("mosquitto_passwd", "-c", "-b", passwords, "fleetgrains", _silosMqttPassword);
        await RunAsync("mosquitto_passwd", "-b", passwords, "d1", _devicePassword);
        var acl = Path.Combine(_files.FullName, "acl");
        await File.WriteAllTextAsync(acl, $"""
            user fleetgrains
            topic read fleets/+/devices/+/telemetry

            pattern write fleets/{Fleet}/devices/%u/telemetry

            """);
        _broker = await MosquittoBroker.StartNewAsync(_ => $"""
            cafile {_certificates.CaFile}
            certfile {brokerCertificate}
            keyfile {brokerKey}
            allow_anonymous false
            password_file {passwords}
            acl_file {acl}
            """);
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _broker.DisposeAsync();
        await _redis.DisposeAsync();
        _certificates.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task TheSilo_WorksThroughTlsAndPasswords_AndTheBrokersAcl_KeepsEachDeviceToItsOwnTopic()
    {
        var silo = await StartSiloAsync(_redisPassword);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Secured(_redisPassword).For(_redis.ConnectionString));
        await ClusterHarness.WaitUntilAsync(
            async () => await PartitionLease.OwnerAsync(redis.GetDatabase(), MqttSource.PartitionLeaseName("fleetgrains", 0)) is not null, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the owner's subscription follows its lease

        // Redis Streams through TLS and the ACL user.
        var produced = await ClusterHarness.ProduceAsync(redis.GetDatabase(), "streamed", devices: 4, perDevice: 10);
        Assert.Equal(40, produced);
        await ClusterHarness.WaitUntilAsync(async () => (await silo.Http.GetAsync($"/api/devices/streamed/{ClusterHarness.Device(3)}")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        await ClusterHarness.AssertDevicesAsync(silo, "streamed", devices: 4, accepted: 10, lastSeq: 9);

        // A binary batch in a stream entry's "batch" field.
        var block = new DeviceBlock { FleetId = "streamed", DeviceId = "binary-0", Features = 2 };
        for (var i = 0; i < 5; i++)
        {
            block.Seq.Add(i);
            block.Ts.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + i);
            block.Values.Add([i, i + 0.5f]);
        }

        var stream = StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, StreamPartitioner.PartitionOf("streamed", "binary-0", ClusterHarness.Partitions));
        await redis.GetDatabase().StreamAddAsync(stream, "batch", new TelemetryBatch { Devices = { block } }.ToByteArray());
        Assert.Equal(5, (await PollAsync(silo, "/api/devices/streamed/binary-0")).Counters.Accepted);

        // MQTT: device d1 writes its own topic; the broker refuses it another device's topic and refuses strangers.
        using var device = new MqttClientFactory().CreateMqttClient();
        await device.ConnectAsync(BrokerClient("d1", _devicePassword).Build());
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var own = await device.PublishAsync(Message("d1", $$"""{"ts":{{ts}},"seq":0,"values":[1,2,3]}"""));
        var other = await device.PublishAsync(Message("d2", $$"""{"ts":{{ts}},"seq":0,"values":[1,2,3]}"""));
        Assert.True(own.IsSuccess, $"own topic: {own.ReasonCode}");
        var binary = new DeviceBlock { Features = 3, Seq = { 1, 2 }, Ts = { ts + 1, ts + 2 }, Values = { 1, 2, 3, 4, 5, 6 } }; // ids from the topic
        var binaryPublish = await device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(MqttTopic.For(Fleet, "d1"))
            .WithPayload(new TelemetryBatch { Devices = { binary } }.ToByteArray())
            .WithContentType(BinaryBatchDecoder.ContentType)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(binaryPublish.IsSuccess, $"binary batch: {binaryPublish.ReasonCode}");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, other.ReasonCode);
        using var stranger = new MqttClientFactory().CreateMqttClient();
        var refused = await stranger.ConnectAsync(BrokerClient("d1", "wrong-password").Build());
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refused.ResultCode); // mosquitto 2.0 answers a wrong password so

        await ClusterHarness.WaitUntilAsync(async () => (await PollAsync(silo, $"/api/devices/{Fleet}/d1")).Counters.Accepted >= 3, TimeSpan.FromSeconds(30));
        var d1 = await PollAsync(silo, $"/api/devices/{Fleet}/d1");
        Assert.Equal((3, 2L), (d1.Counters.Accepted, d1.LastSeq)); // the JSON event and the binary batch's two
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await silo.Http.GetAsync($"/api/devices/{Fleet}/d2")).StatusCode);

        var metrics = await silo.Http.GetStringAsync("/metrics");
        foreach (var secret in new[] { _redisPassword, _silosMqttPassword, _devicePassword })
        {
            Assert.DoesNotContain(secret, silo.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASiloWithAWrongRedisPassword_IsNeverReady_AndItsLogSaysWhy()
    {
        var silo = SiloProcess.Launch("wrong-password", Settings("not-the-password"));
        _silos.Add(silo);
        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => silo.WaitReadyAsync(TimeSpan.FromSeconds(20)));

        output.WriteLine($"not ready after {waited.Elapsed.TotalSeconds:F0} s; exited: {silo.HasExited}");
        Assert.Matches("(?i)authentication ?failure", silo.Output); // the client's reason, not a timeout that hides it
        Assert.DoesNotContain("not-the-password", silo.Output, StringComparison.Ordinal);
    }

    private async Task<SiloProcess> StartSiloAsync(string redisPassword)
    {
        var silo = await SiloProcess.StartAsync("secured", Settings(redisPassword));
        _silos.Add(silo);
        return silo;
    }

    private Dictionary<string, string> Settings(string redisPassword)
    {
        var settings = ClusterHarness.RedisCluster(_redis, $"secured-{Guid.NewGuid():N}");
        settings["Fleet:Redis:User"] = "fleetgrains";
        settings["Fleet:Redis:Password"] = redisPassword;
        settings["Fleet:Redis:Tls"] = "true";
        settings["Fleet:Redis:TlsCaFile"] = _certificates.CaFile;
        settings["Fleet:Sources:Mqtt:Enabled"] = "true";
        settings["Fleet:Sources:Mqtt:Port"] = _broker.Port.ToString();
        settings["Fleet:Sources:Mqtt:Username"] = "fleetgrains";
        settings["Fleet:Sources:Mqtt:Password"] = _silosMqttPassword;
        settings["Fleet:Sources:Mqtt:Tls"] = "true";
        settings["Fleet:Sources:Mqtt:TlsCaFile"] = _certificates.CaFile;
        settings["Fleet:Sources:Mqtt:LeaseDuration"] = "00:00:03";
        settings["Fleet:Sources:Mqtt:RebalanceInterval"] = "00:00:00.500";
        return settings;
    }

    private RedisSecurityOptions Secured(string password) =>
        new() { User = "fleetgrains", Password = password, Tls = true, TlsCaFile = _certificates.CaFile };

    private MqttClientOptionsBuilder BrokerClient(string user, string password)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _broker.Port)
            .WithClientId($"{user}-{Guid.NewGuid():N}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500);
        return MqttBrokerSecurity.Apply(options, new MqttSourceOptions { Username = user, Password = password, Tls = true, TlsCaFile = _certificates.CaFile });
    }

    private static MqttApplicationMessage Message(string deviceId, string payload) => new MqttApplicationMessageBuilder()
        .WithTopic(MqttTopic.For(Fleet, deviceId))
        .WithPayload(Encoding.UTF8.GetBytes(payload))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    private static async Task<DeviceView> PollAsync(SiloProcess silo, string path)
    {
        await ClusterHarness.WaitUntilAsync(async () => (await silo.Http.GetAsync(path)).IsSuccessStatusCode, TimeSpan.FromSeconds(30));
        return await silo.GetJsonAsync<DeviceView>(path);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {errors}");
    }
}
