using System.Security.Cryptography.X509Certificates;
using FleetGrains.Ingestion.Tls;
using Orleans.Connections.Security;

namespace FleetGrains.Silo.Hosting;

public static class ClusterTls
{
    /// <summary>
    /// Mutual TLS (Microsoft.Orleans.Connections.Security) on the silo's connections, in and out, and its gateway:
    /// a peer without a certificate, or with one the cluster's CA did not issue, is refused during the handshake.
    /// </summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterTlsOptions tls)
    {
        var certificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile!, tls.KeyFile);
        var authority = PrivateCertificateAuthority.Load(tls.CaFile!);
        return silo.UseTls(certificate, o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Peers are reached by IP address: their certificates' names cannot match it; being issued by the CA does.
            o.RemoteCertificateValidation = (peer, _, _) => authority.Chains(peer);
        });
    }
}
