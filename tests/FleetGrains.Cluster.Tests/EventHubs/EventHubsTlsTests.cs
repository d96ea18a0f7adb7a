using System.Security.Cryptography.X509Certificates;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.Ingestion.Tls;
using FleetGrains.LocalServers;
using EventHubsTestDouble = FleetGrains.EventHubsDouble.EventHubsDouble;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>
/// The service's own transport: AMQP over TLS, the namespace's name checked against a certificate a private CA issued,
/// reached at a custom endpoint (as through a private endpoint or a gateway) — not the emulator's plain AMQP.
/// </summary>
public sealed class EventHubsTlsTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private DirectoryInfo _files = null!;
    private TestCertificates _certificates = null!;
    private EventHubsTestDouble _hub = null!;
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _files = Directory.CreateTempSubdirectory("fleetgrains-eventhubs-tls-");
        _certificates = new TestCertificates(_files.FullName);
        var (certificateFile, keyFile) = _certificates.Issue("eventhubs");
        _hub = EventHubsTestDouble.StartWithTls(X509Certificate2.CreateFromPemFile(certificateFile, keyFile), EventHubsHarness.Hub, 2, EventHubsHarness.Group);
        _redis = await RedisServer.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _hub.DisposeAsync();
        await _redis.DisposeAsync();
        _certificates.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task OverTlsToACustomEndpoint_TrustingThePrivateCa_EveryEventIsApplied_AndWithoutIt_NothingIsRead()
    {
        const string Fleet = "eventhubs-tls";
        const int Devices = 50, PerDevice = 10;
        var authority = PrivateCertificateAuthority.Load(_certificates.CaFile);
        await using (var producer = new EventHubProducerClient(_hub.ConnectionString, new EventHubProducerClientOptions
        {
            ConnectionOptions = new EventHubConnectionOptions
            {
                CustomEndpointAddress = new Uri(_hub.CustomEndpointAddress),
                CertificateValidationCallback = (_, certificate, _, errors) => authority.Validates(certificate, errors),
            },
        }))
        {
            Assert.Equal(Devices * PerDevice, await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice));
        }

        var settings = EventHubsHarness.Settings(_hub, _redis);
        settings["Fleet:Sources:EventHubs:CustomEndpointAddress"] = _hub.CustomEndpointAddress;
        var untrusting = await SiloProcess.StartAsync("untrusting", settings);
        _silos.Add(untrusting);
        await ClusterHarness.WaitUntilAsync(() => Task.FromResult(untrusting.Output.Contains("certificate", StringComparison.OrdinalIgnoreCase)), TimeSpan.FromSeconds(60));
        await using (var connection = await ClusterHarness.ConnectAsync(_redis))
        {
            Assert.Empty(await EventHubsHarness.CheckpointsAsync(connection.GetDatabase(), _hub));
        }

        await untrusting.StopAsync();

        settings["Fleet:Sources:EventHubs:TlsCaFile"] = _certificates.CaFile;
        var silo = await SiloProcess.StartAsync("trusting", settings);
        _silos.Add(silo);
        await EventHubsHarness.WaitCheckpointedAsync(_hub, _redis, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, PerDevice, PerDevice - 1);
    }
}
