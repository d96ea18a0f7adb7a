using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FleetGrains.LocalServers;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// Silos with mutual TLS on their Orleans connections, certificates from a CA made for the test: two form a
/// cluster and call each other's grains; a third whose certificate another CA issued is refused and never joins.
/// </summary>
public sealed class MutualTlsClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private DirectoryInfo _files = null!;
    private TestCertificates _clusterCa = null!;
    private TestCertificates _strangerCa = null!;
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _files = Directory.CreateTempSubdirectory("fleetgrains-mtls-");
        _clusterCa = new TestCertificates(_files.FullName, "cluster-ca");
        _strangerCa = new TestCertificates(_files.FullName, "stranger-ca");
        _redis = await RedisServer.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _redis.DisposeAsync();
        _clusterCa.Dispose();
        _strangerCa.Dispose();
        _files.Delete(recursive: true);
    }

    [Fact]
    public async Task SilosWithTheClustersCertificates_FormACluster_AndOneWithAStrangersCertificate_CannotJoin()
    {
        var clusterId = $"mtls-{Guid.NewGuid():N}";
        _silos.Add(await SiloProcess.StartAsync("silo0", Settings(clusterId, _clusterCa.Issue("silo0"))));
        _silos.Add(await SiloProcess.StartAsync("silo1", Settings(clusterId, _clusterCa.Issue("silo1"))));

        // Both are active members, and a grain call crosses between them: the key registry lives on one of them.
        await ClusterHarness.WaitUntilAsync(async () => (await ReadinessAsync(_silos[0])).Contains("2 active silos", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 4; i++)
        {
            using var created = await _silos[i % 2].Http.PostAsJsonAsync("/api/keys", new { name = $"across-{i}", grants = new[] { "viewer:*" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal(4, (await _silos[1].GetJsonAsync<JsonElement[]>("/api/keys")).Length);

        var stranger = SiloProcess.Launch("stranger", Settings(clusterId, _strangerCa.Issue("stranger")));
        _silos.Add(stranger);
        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => stranger.WaitReadyAsync(TimeSpan.FromSeconds(20)));

        output.WriteLine($"the stranger was not ready after {waited.Elapsed.TotalSeconds:F0} s (exited: {stranger.HasExited})");
        Assert.Contains("2 active silos", await ReadinessAsync(_silos[0]), StringComparison.Ordinal);
        Assert.Contains("2 active silos", await ReadinessAsync(_silos[1]), StringComparison.Ordinal);
        output.WriteLine(string.Join('\n', _silos[0].Output.Split('\n').Where(l => l.Contains("uthenticat", StringComparison.Ordinal)).Take(3)));
    }

    [Fact]
    public async Task TheGateway_KeepsOnlyClientsShowingACertificateOfTheClustersCa()
    {
        var gatewayPort = LocalServer.FreePort();
        var settings = Settings($"mtls-{Guid.NewGuid():N}", _clusterCa.Issue("silo0"));
        settings["Fleet:Cluster:GatewayPort"] = gatewayPort.ToString();
        _silos.Add(await SiloProcess.StartAsync("silo0", settings));

        var member = await ConnectAsync(gatewayPort, _clusterCa.Issue("client"));
        var stranger = await ConnectAsync(gatewayPort, _strangerCa.Issue("stranger-client"));
        var none = await ConnectAsync(gatewayPort, null);

        output.WriteLine($"the CA's certificate: {member}; a stranger's: {stranger}; none: {none}");
        Assert.Equal("open", member);
        Assert.NotEqual("open", stranger);
        Assert.NotEqual("open", none);
    }

    // "open" when the gateway, after the TLS handshake, still holds the connection (waiting for an Orleans client's
    // hello); otherwise how it refused. The silo checks a client's certificate once the handshake is done and then
    // closes the connection, so a refusal may come after the handshake as well as during it.
    private async Task<string> ConnectAsync(int port, (string CertificateFile, string KeyFile)? certificate)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        using var client = certificate is { } c ? X509Certificate2.CreateFromPemFile(c.CertificateFile, c.KeyFile) : null;
        var authority = FleetGrains.Ingestion.Tls.PrivateCertificateAuthority.Load(_clusterCa.CaFile);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, server, _, _) => server is not null && authority.Chains(server));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = client is null ? null : [client],
            }).WaitAsync(TimeSpan.FromSeconds(10));
            var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(3));
            return read == 0 ? "closed after the handshake" : $"sent {read} byte";
        }
        catch (TimeoutException)
        {
            return "open";
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static async Task<string> ReadinessAsync(SiloProcess silo) => await silo.Http.GetStringAsync("/health/ready");

    private Dictionary<string, string> Settings(string clusterId, (string CertificateFile, string KeyFile) certificate)
    {
        var settings = ClusterHarness.RedisCluster(_redis, clusterId, streams: false);
        settings["Fleet:Cluster:Tls:CertificateFile"] = certificate.CertificateFile;
        settings["Fleet:Cluster:Tls:KeyFile"] = certificate.KeyFile;
        settings["Fleet:Cluster:Tls:CaFile"] = _clusterCa.CaFile;
        return settings;
    }
}
