using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetGrains.Silo.Tests.Security;

/// <summary>HTTPS with a configured certificate (Kestrel's own configuration), and the headers every answer carries.</summary>
public sealed class HttpsAndHeadersTests : WithCertificateFiles
{
    [Fact]
    public async Task WithACertificateConfigured_TheApiIsServedOverHttps_WithSecurityHeaders()
    {
        await using var host = await SiloHost.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = CertificateFile,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = KeyFile,
        });
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == Certificate.Thumbprint };
        using var https = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        https.DefaultRequestHeaders.Add(Silo.Security.ApiKeyAuthenticationHandler.Header, SiloHost.AdminKey);

        using var response = await https.GetAsync("/api/fleets");

        Assert.Equal("https", host.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task ErrorAnswers_CarryTheHeadersToo()
    {
        await using var host = await SiloHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };

        using var unauthorized = await anonymous.GetAsync("/api/fleets");
        using var invalid = await host.Http.GetAsync("/api/fleets/x/devices?offset=abc");

        foreach (var response in new[] { unauthorized, invalid })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }
}

/// <summary>A self-signed certificate for 127.0.0.1, as PEM files, deleted afterwards.</summary>
public abstract class WithCertificateFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fleetgrains-tls-").FullName;

    protected WithCertificateFiles()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificateFile = Path.Combine(_folder, "silo.crt");
        KeyFile = Path.Combine(_folder, "silo.key");
        File.WriteAllText(CertificateFile, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
    }

    protected X509Certificate2 Certificate { get; }

    protected string CertificateFile { get; }

    protected string KeyFile { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
