namespace FleetGrains.Silo.Hosting;

/// <summary>
/// Mutual TLS on every Orleans connection (silo to silo, client to gateway), bound from <c>Fleet:Cluster:Tls</c>:
/// each side shows its certificate and accepts the other's only if the cluster's CA issued it. Silos reach each
/// other by IP address, so the CA is what admits a peer, not a name: give the cluster a CA of its own.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>This silo's certificate (PEM; e.g. <c>tls.crt</c> of a Kubernetes TLS Secret).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Its private key (PEM; <c>tls.key</c>).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The cluster's CA (PEM; <c>ca.crt</c>): peers' certificates must chain to it.</summary>
    public string? CaFile { get; set; }

    public bool Enabled => CertificateFile is not null || KeyFile is not null || CaFile is not null;

    public IEnumerable<string> Problems()
    {
        if (!Enabled)
        {
            yield break;
        }

        foreach (var (name, file) in new[] { ("CertificateFile", CertificateFile), ("KeyFile", KeyFile), ("CaFile", CaFile) })
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                yield return $"{name} is required for mutual TLS (CertificateFile, KeyFile and CaFile go together).";
            }
            else if (!File.Exists(file))
            {
                yield return $"{name} '{file}' does not exist.";
            }
        }
    }
}
