using FleetGrains.Ingestion.Sources;
using FleetGrains.Ingestion.Tls;
using MQTTnet;

namespace FleetGrains.Ingestion.Mqtt;

/// <summary>How the sources sign in to the broker and encrypt the link: username and password, TLS with the broker's CA.</summary>
public static class MqttBrokerSecurity
{
    public static MqttClientOptionsBuilder Apply(MqttClientOptionsBuilder connect, MqttSourceOptions mqtt)
    {
        if (mqtt.Username is { Length: > 0 } username)
        {
            connect.WithCredentials(username, mqtt.Password);
        }

        if (mqtt.Tls)
        {
            var authority = mqtt.TlsCaFile is { } caFile ? PrivateCertificateAuthority.Load(caFile) : null;
            connect.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(mqtt.TlsHost ?? mqtt.Host);
                if (authority is not null)
                {
                    tls.WithCertificateValidationHandler(e => authority.Validates(e.Certificate, e.SslPolicyErrors));
                }
            });
        }

        return connect;
    }
}
