using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FleetGrains.Ingestion.Tls;

/// <summary>
/// The CA certificates (a PEM file) a peer's certificate must chain to, instead of the machine's trust store: for
/// Redis, a broker or other silos whose certificates a private CA (cert-manager, the operator's own) issued.
/// </summary>
public sealed class PrivateCertificateAuthority
{
    private readonly X509Certificate2Collection _roots;

    private PrivateCertificateAuthority(X509Certificate2Collection roots) => _roots = roots;

    public static PrivateCertificateAuthority Load(string pemFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(pemFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"The CA file '{pemFile}' could not be read as PEM certificates: {ex.Message}", ex);
        }

        return roots.Count > 0 ? new PrivateCertificateAuthority(roots) : throw new InvalidOperationException($"The CA file '{pemFile}' holds no certificate.");
    }

    /// <summary>
    /// Whether the peer's certificate is valid, given what TLS found (<paramref name="errors"/>): a name mismatch or
    /// a missing certificate fails; a chain error is forgiven only if the chain builds to one of these CAs.
    /// </summary>
    public bool Validates(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        return errors == SslPolicyErrors.None || Chains(certificate);
    }

    /// <summary>Whether the certificate chains to one of these CAs (names are not checked: for peers that have none to check).</summary>
    public bool Chains(X509Certificate certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var peer = new X509Certificate2(certificate);
        return chain.Build(peer);
    }
}
