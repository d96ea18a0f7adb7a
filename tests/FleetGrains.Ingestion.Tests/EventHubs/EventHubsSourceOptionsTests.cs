using FleetGrains.Ingestion.EventHubs;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Ingestion.Tests.EventHubs;

public class EventHubsSourceOptionsTests
{
    private const string NamespaceConnection = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=x";

    [Fact]
    public void AnEnabledSource_WithBothWaysToConnect_OrNoRedis_OrOwnershipShorterThanTwoCycles_IsRefusedWithTheSetting()
    {
        var options = new SourcesOptions
        {
            EventHubs = new EventHubsSourceOptions
            {
                Enabled = true,
                ConnectionString = NamespaceConnection,
                FullyQualifiedNamespace = "example.servicebus.windows.net",
                LoadBalancingInterval = TimeSpan.FromSeconds(10),
                OwnershipExpiration = TimeSpan.FromSeconds(15),
                ClientId = "00000000-0000-0000-0000-000000000001",
                DisableInstanceDiscovery = true,
            },
        };

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.Contains("set exactly one of ConnectionString and FullyQualifiedNamespace", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("EventHubs:EventHubName is required when the connection string has no EntityPath", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("OwnershipExpiration at least 2 × LoadBalancingInterval", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("EventHubs:ClientId goes with Credential ManagedIdentity", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("EventHubs:DisableInstanceDiscovery goes with Credential WorkloadIdentity or Default", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("Redis (or Fleet:Cluster:Redis) is required when EventHubs:Enabled", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a connection string", "is not an Event Hubs connection string")]
    [InlineData(NamespaceConnection + ";EntityPath=other", "differs from the connection string's EntityPath 'other'")]
    [InlineData("Endpoint=sb://example.servicebus.windows.net/;EntityPath=telemetry", "needs an Endpoint and either SharedAccessKeyName with SharedAccessKey")]
    [InlineData(NamespaceConnection + ";SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=listen", "needs an Endpoint and either")]
    public void ABadConnectionString_IsRefused_Saying(string connectionString, string expected)
    {
        var options = new EventHubsSourceOptions { Enabled = true, ConnectionString = connectionString, EventHubName = "telemetry" };

        Assert.Contains(options.Problems(), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ARelativeCustomEndpoint_OrAMissingCaFile_IsRefused()
    {
        var options = new EventHubsSourceOptions
        {
            Enabled = true,
            ConnectionString = NamespaceConnection + ";EntityPath=telemetry",
            CustomEndpointAddress = "10.1.2.3:5671",
            TlsCaFile = "/no/such/ca.pem",
        };

        var problems = options.Problems().ToList();

        Assert.Contains(problems, p => p.Contains("CustomEndpointAddress '10.1.2.3:5671' is not an absolute address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("TlsCaFile '/no/such/ca.pem' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void TheHub_ComesFromTheConnectionString_WhenItIsNotNamed()
    {
        var options = new EventHubsSourceOptions { Enabled = true, ConnectionString = NamespaceConnection + ";EntityPath=telemetry" };

        Assert.Empty(options.Problems());
        Assert.Equal("telemetry", options.HubName);
    }

    [Fact]
    public void ADisabledSource_IsNotChecked()
    {
        var options = new SourcesOptions { EventHubs = new EventHubsSourceOptions { Enabled = false, BatchSize = 0 } };

        Assert.True(new SourcesOptionsValidator().Validate(null, options).Succeeded);
    }
}
