using System.Security.Cryptography.X509Certificates;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using FleetGrains.EventHubsDouble;
using FleetGrains.Ingestion.Tls;
using FleetGrains.LocalServers;
using EventHubsTestDouble = FleetGrains.EventHubsDouble.EventHubsDouble;

namespace FleetGrains.Cluster.Tests.EventHubs;

/// <summary>
/// The service's own transport: AMQP over TLS, the namespace's name checked against a certificate a private CA issued,
/// reached at a custom endpoint (as through a private endpoint or a gateway) — not the emulator's plain AMQP; and the
/// service's own sign-in without a connection string: Kubernetes workload identity, its access token from Entra ID.
/// </summary>
public sealed class EventHubsTlsTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private DirectoryInfo _files = null!;
    private TestCertificates _certificates = null!;
    private EventHubsTestDouble _hub = null!;
    private RedisServer _redis = null!;
    private EntraIdDouble? _entraId;

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
        if (_entraId is not null)
        {
            await _entraId.DisposeAsync();
        }

        _certificates.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task OverTlsToACustomEndpoint_TrustingThePrivateCa_EveryEventIsApplied_AndWithoutIt_NothingIsRead()
    {
        const string Fleet = "eventhubs-tls";
        const int Devices = 50, PerDevice = 10;
        await using (var producer = Producer())
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

    [Fact]
    public async Task SignedInByWorkloadIdentity_WithTheFederatedToken_EveryEventIsApplied_AndWithAnotherToken_EntraIdRefusesAndNothingIsRead()
    {
        const string Fleet = "eventhubs-workload-identity";
        const string TenantId = "72f988bf-0000-4000-8000-00000000f1ee", ClientId = "5b0c7e4a-0000-4000-8000-000000000f1e";
        const int Devices = 40, PerDevice = 10;
        var (certificateFile, keyFile) = _certificates.Issue("entra-id");
        _entraId = await EntraIdDouble.StartAsync(X509Certificate2.CreateFromPemFile(certificateFile, keyFile), TenantId, ClientId, federatedToken: "service-account-token-of-fleetgrains");
        _hub.Hub.TrustedIssuer = _entraId;
        await using (var producer = Producer())
        {
            Assert.Equal(Devices * PerDevice, await EventHubsHarness.ProduceAsync(producer, Fleet, Devices, PerDevice));
        }

        // What the chart gives a pod without a connection string; what the workload identity webhook adds to it. The
        // silo trusts Entra ID's certificate through the machine's trust store (here: the private CA as that store).
        var settings = EventHubsHarness.Settings(_hub, _redis);
        settings.Remove("Fleet:Sources:EventHubs:ConnectionString");
        settings["Fleet:Sources:EventHubs:FullyQualifiedNamespace"] = _hub.FullyQualifiedNamespace;
        settings["Fleet:Sources:EventHubs:EventHubName"] = EventHubsHarness.Hub;
        settings["Fleet:Sources:EventHubs:Credential"] = "WorkloadIdentity";
        settings["Fleet:Sources:EventHubs:DisableInstanceDiscovery"] = "true";
        settings["Fleet:Sources:EventHubs:CustomEndpointAddress"] = _hub.CustomEndpointAddress;
        settings["Fleet:Sources:EventHubs:TlsCaFile"] = _certificates.CaFile;
        Dictionary<string, string> WorkloadIdentity(string federatedToken)
        {
            var tokenFile = Path.Combine(_files.FullName, $"federated-token-{Guid.NewGuid():N}");
            File.WriteAllText(tokenFile, federatedToken);
            return new()
            {
                ["AZURE_TENANT_ID"] = TenantId,
                ["AZURE_CLIENT_ID"] = ClientId,
                ["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile,
                ["AZURE_AUTHORITY_HOST"] = _entraId.AuthorityHost.AbsoluteUri,
                ["SSL_CERT_FILE"] = _certificates.CaFile,
            };
        }

        var stranger = await SiloProcess.StartAsync("stranger", settings, WorkloadIdentity("a-token-entra-id-does-not-trust"));
        _silos.Add(stranger);
        await ClusterHarness.WaitUntilAsync(() => Task.FromResult(stranger.Output.Contains("AADSTS700213", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        Assert.Equal(0, _entraId.Issued);
        await using (var connection = await ClusterHarness.ConnectAsync(_redis))
        {
            Assert.Empty(await EventHubsHarness.CheckpointsAsync(connection.GetDatabase(), _hub));
        }

        await stranger.StopAsync();

        var silo = await SiloProcess.StartAsync("workload-identity", settings, WorkloadIdentity("service-account-token-of-fleetgrains"));
        _silos.Add(silo);
        await EventHubsHarness.WaitCheckpointedAsync(_hub, _redis, TimeSpan.FromSeconds(120), () => ClusterHarness.Logs([.. _silos]));
        await ClusterHarness.AssertDevicesAsync(silo, Fleet, Devices, PerDevice, PerDevice - 1);
        Assert.True(_entraId.Issued >= 1, "Entra ID issued no access token");
    }

    // Publishes by connection string over TLS at the custom endpoint, trusting the test CA.
    private EventHubProducerClient Producer()
    {
        var authority = PrivateCertificateAuthority.Load(_certificates.CaFile);
        return new EventHubProducerClient(_hub.ConnectionString, new EventHubProducerClientOptions
        {
            ConnectionOptions = new EventHubConnectionOptions
            {
                CustomEndpointAddress = new Uri(_hub.CustomEndpointAddress),
                CertificateValidationCallback = (_, certificate, _, errors) => authority.Validates(certificate, errors),
            },
        });
    }
}
