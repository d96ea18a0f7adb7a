using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Processor;

namespace FleetGrains.Ingestion.EventHubs;

/// <summary>How the silos sign in to Event Hubs when no connection string is given.</summary>
public enum EventHubsCredential
{
    /// <summary>Kubernetes workload identity: the federated token the pod's service account is given (<c>AZURE_CLIENT_ID</c>, <c>AZURE_TENANT_ID</c>, <c>AZURE_FEDERATED_TOKEN_FILE</c>).</summary>
    WorkloadIdentity,

    /// <summary>The Azure managed identity of the machine (system-assigned, or the user-assigned one named by <see cref="EventHubsSourceOptions.ClientId"/>).</summary>
    ManagedIdentity,

    /// <summary>The Azure SDK's chain of credentials (environment, workload identity, managed identity, developer tools).</summary>
    Default,
}

/// <summary>Where a partition starts that has no checkpoint of the consumer group yet.</summary>
public enum EventHubsStartFrom
{
    Earliest,
    Latest,
}

/// <summary>
/// Telemetry from an Azure Event Hub (or an IoT Hub's built-in endpoint), read by one event processor per silo: the
/// processors share the hub's partitions through ownership records in Redis and checkpoint there. Bound from
/// <c>Fleet:Sources:EventHubs</c>.
/// </summary>
public sealed class EventHubsSourceOptions
{
    public bool Enabled { get; set; }

    /// <summary>A namespace or Event Hub connection string (<c>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=hub]</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Without a connection string: the namespace (<c>{name}.servicebus.windows.net</c>), signed in to with <see cref="Credential"/>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>The Event Hub; may be left out when the connection string names it (<c>EntityPath</c>).</summary>
    public string? EventHubName { get; set; }

    public EventHubsCredential Credential { get; set; } = EventHubsCredential.WorkloadIdentity;

    /// <summary>
    /// Where to connect instead of the namespace's own address — a private endpoint, a gateway or a proxy — as
    /// <c>sb://host:port</c>; TLS still checks the namespace's name.
    /// </summary>
    public string? CustomEndpointAddress { get; set; }

    /// <summary>A PEM file of the CA(s) the service's certificate must chain to (a private CA); unset: the machine's trust store.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>With <see cref="EventHubsCredential.ManagedIdentity"/>: the client id of a user-assigned identity (unset: the system-assigned one).</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// With <see cref="EventHubsCredential.WorkloadIdentity"/> or <see cref="EventHubsCredential.Default"/>: sign in at
    /// <c>AZURE_AUTHORITY_HOST</c> as given, without asking Microsoft Entra ID's discovery endpoint to validate it — for
    /// clouds whose authority it does not know (Azure Stack Hub, private clouds).
    /// </summary>
    public bool DisableInstanceDiscovery { get; set; }

    public string ConsumerGroup { get; set; } = "$Default";

    public EventHubsStartFrom StartFrom { get; set; } = EventHubsStartFrom.Earliest;

    /// <summary>Events handled together per partition (one grain call per device per batch); a partition's next batch is handed over only after this one was checkpointed.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Events each partition's receiver asks for ahead of its batches.</summary>
    public int PrefetchCount { get; set; } = 1000;

    /// <summary>How often a silo's processor renews its partitions' ownership and compares them with its fair share.</summary>
    public TimeSpan LoadBalancingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An owner that stops renewing loses its partitions after this long (a dead silo's partitions move then).</summary>
    public TimeSpan OwnershipExpiration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Balanced: claim one partition per cycle until the share is fair; Greedy: claim the whole fair share at once.</summary>
    public LoadBalancingStrategy LoadBalancing { get; set; } = LoadBalancingStrategy.Balanced;

    /// <summary>
    /// How long a partition's receiver waits for events before it asks again. It is also how soon a receiver whose
    /// connection broke without a word (a crashed service node) notices and reconnects, hence not the SDK's minute.
    /// </summary>
    public TimeSpan ReceiveWaitTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one call to the service may take before it is tried again.</summary>
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the lag of this silo's partitions is published.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The event property (application property, else system property) that names the device, for events that leave
    /// out <c>deviceId</c>; IoT Hub sets <c>iothub-connection-device-id</c>. An event naming another device is rejected.
    /// </summary>
    public string? DeviceIdProperty { get; set; } = "iothub-connection-device-id";

    /// <summary>The event property that names the fleet, for events that leave out <c>fleetId</c> (with IoT Hub: a message enrichment).</summary>
    public string? FleetIdProperty { get; set; } = "fleetId";

    /// <summary>The prefix of the Redis keys that hold the processors' ownership records and checkpoints.</summary>
    public string CheckpointPrefix { get; set; } = "fleet:eventhubs";

    /// <summary>The Event Hub read: <see cref="EventHubName"/>, else the connection string's <c>EntityPath</c>.</summary>
    public string? HubName => !string.IsNullOrWhiteSpace(EventHubName) ? EventHubName : ParseConnectionString().Properties?.EventHubName;

    /// <summary>What is wrong with these settings, as <c>EventHubs:…</c> sentences; none when the source is off.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Enabled)
        {
            yield break;
        }

        var byConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (byConnectionString == !string.IsNullOrWhiteSpace(FullyQualifiedNamespace))
        {
            yield return "EventHubs: set exactly one of ConnectionString and FullyQualifiedNamespace (with Credential).";
        }

        var (parsed, parseError) = ParseConnectionString();
        if (parseError is not null)
        {
            yield return $"EventHubs:ConnectionString is not an Event Hubs connection string ({parseError}).";
        }
        else if (parsed is not null && (string.IsNullOrEmpty(parsed.Endpoint?.Host)
            || (!string.IsNullOrEmpty(parsed.SharedAccessKeyName) && !string.IsNullOrEmpty(parsed.SharedAccessKey)) == !string.IsNullOrEmpty(parsed.SharedAccessSignature)))
        {
            yield return "EventHubs:ConnectionString needs an Endpoint and either SharedAccessKeyName with SharedAccessKey or a SharedAccessSignature.";
        }

        var entityPath = parsed?.EventHubName;
        if (string.IsNullOrWhiteSpace(EventHubName) && string.IsNullOrWhiteSpace(entityPath))
        {
            yield return "EventHubs:EventHubName is required when the connection string has no EntityPath.";
        }
        else if (!string.IsNullOrWhiteSpace(EventHubName) && !string.IsNullOrWhiteSpace(entityPath) && EventHubName != entityPath)
        {
            yield return $"EventHubs:EventHubName '{EventHubName}' differs from the connection string's EntityPath '{entityPath}'.";
        }

        if (string.IsNullOrWhiteSpace(ConsumerGroup) || string.IsNullOrWhiteSpace(CheckpointPrefix))
        {
            yield return "EventHubs:ConsumerGroup and CheckpointPrefix must not be empty.";
        }

        if (BatchSize is < 1 or > 100_000)
        {
            yield return $"EventHubs:BatchSize must be between 1 and 100000 (was {BatchSize}).";
        }

        if (PrefetchCount is < 0 or > 100_000)
        {
            yield return $"EventHubs:PrefetchCount must be between 0 and 100000 (was {PrefetchCount}).";
        }

        if (LoadBalancingInterval <= TimeSpan.Zero || OwnershipExpiration < 2 * LoadBalancingInterval)
        {
            yield return "EventHubs:LoadBalancingInterval must be positive and OwnershipExpiration at least 2 × LoadBalancingInterval (ownership is renewed every LoadBalancingInterval).";
        }

        if (TryTimeout <= TimeSpan.Zero || LagInterval <= TimeSpan.Zero || ReceiveWaitTime <= TimeSpan.Zero)
        {
            yield return "EventHubs:TryTimeout, ReceiveWaitTime and LagInterval must be positive.";
        }

        if (CustomEndpointAddress is not null && !Uri.TryCreate(CustomEndpointAddress, UriKind.Absolute, out _))
        {
            yield return $"EventHubs:CustomEndpointAddress '{CustomEndpointAddress}' is not an absolute address (sb://host:port).";
        }

        if (TlsCaFile is not null && !File.Exists(TlsCaFile))
        {
            yield return $"EventHubs:TlsCaFile '{TlsCaFile}' does not exist.";
        }

        if (ClientId is not null && Credential != EventHubsCredential.ManagedIdentity)
        {
            yield return "EventHubs:ClientId goes with Credential ManagedIdentity (workload identity reads AZURE_CLIENT_ID).";
        }

        if (DisableInstanceDiscovery && (byConnectionString || Credential == EventHubsCredential.ManagedIdentity))
        {
            yield return "EventHubs:DisableInstanceDiscovery goes with Credential WorkloadIdentity or Default (a managed identity and a connection string ask no authority).";
        }
    }

    private (EventHubsConnectionStringProperties? Properties, string? Error) ParseConnectionString()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return (null, null);
        }

        try
        {
            return (EventHubsConnectionStringProperties.Parse(ConnectionString), null);
        }
        catch (FormatException ex)
        {
            return (null, ex.Message);
        }
    }
}
