using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
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
