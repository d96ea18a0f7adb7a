using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Amqp;
using Amqp.Handler;
using Amqp.Listener;
using Amqp.Sasl;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// An Azure Event Hubs namespace with one hub, in process, on a random loopback port: what the real
/// <c>Azure.Messaging.EventHubs</c> client needs when its connection string says <c>UseDevelopmentEmulator=true</c>
/// (plain AMQP, no TLS): SASL <c>MSSBCBS</c>, <c>$cbs</c> put-token (the signature checked against the key),
/// <c>$management</c>, receivers and senders; or the service's own form over TLS (<see cref="StartWithTls"/>). The
/// events outlive <see cref="RestartAsync"/> and <see cref="Stop"/>, as a broker's storage does; connections do not.
/// </summary>
public sealed class EventHubsDouble : IAsyncDisposable
{
    public const string KeyName = "fleetgrains-tests";
    public const int MaxMessageBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Lock _gate = new();
    private readonly X509Certificate2? _certificate;
    private ContainerHost? _host;

    private EventHubsDouble(HubState hub, string key, X509Certificate2? certificate)
    {
        Hub = hub;
        Key = key;
        _certificate = certificate;
    }

    public HubState Hub { get; }

    public string Key { get; }

    public int Port { get; private set; }

    public bool IsRunning => _host is not null;

    /// <summary>
    /// A connection string of the hub (with <c>EntityPath</c>), as a client or the silos are given it. Plain AMQP: the
    /// emulator's form with the port. With TLS: the service's form for the namespace <c>localhost</c> (what the
    /// certificate names), to be reached at <see cref="CustomEndpointAddress"/>.
    /// </summary>
    public string ConnectionString => $"{NamespaceConnectionString};EntityPath={Hub.Name}";

    /// <summary>The namespace's connection string (without the hub).</summary>
    public string NamespaceConnectionString => _certificate is null
        ? $"Endpoint=sb://127.0.0.1:{Port};SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true"
        : $"Endpoint=sb://localhost/;SharedAccessKeyName={KeyName};SharedAccessKey={Key}";

    /// <summary>The namespace as clients name it (the host of the connection string's endpoint).</summary>
    public string FullyQualifiedNamespace => _certificate is null ? "127.0.0.1" : "localhost";

    /// <summary>Where a TLS client connects (the service's own address would be port 5671 of the namespace).</summary>
    public string CustomEndpointAddress => $"sb://127.0.0.1:{Port}";

    /// <summary>Starts a double of hub <paramref name="hub"/> with <paramref name="partitions"/> partitions and the consumer groups ($Default always).</summary>
    public static EventHubsDouble Start(string hub = "telemetry", int partitions = 4, params string[] consumerGroups) =>
        Start(null, hub, partitions, consumerGroups);

    /// <summary>As <see cref="Start(string, int, string[])"/>, over TLS (AMQPS) with <paramref name="certificate"/> (its key included) for <c>localhost</c>.</summary>
    public static EventHubsDouble StartWithTls(X509Certificate2 certificate, string hub = "telemetry", int partitions = 4, params string[] consumerGroups) =>
        Start(certificate, hub, partitions, consumerGroups);

    private static EventHubsDouble Start(X509Certificate2? certificate, string hub, int partitions, string[] consumerGroups)
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var state = new HubState(hub, partitions, ["$Default", .. consumerGroups], KeyName, key);
        var server = new EventHubsDouble(state, key, certificate);
        for (var attempt = 1; ; attempt++)
        {
            server.Port = FreePort();
            try
            {
                server.Listen();
                return server;
            }
            catch (SocketException) when (attempt < 10)
            {
                // Taken between finding it and binding it: another port.
            }
        }
    }

    /// <summary>Appends events as the service's own routing does (IoT Hub adds <c>iothub-connection-device-id</c> as an annotation).</summary>
    public void Append(string partition, byte[] body, IDictionary<string, object>? applicationProperties = null, IDictionary<string, object>? annotations = null)
    {
        var log = Hub.Partition(partition) ?? throw new ArgumentException($"No partition '{partition}'.", nameof(partition));
        Map? properties = null;
        if (applicationProperties is not null)
        {
            properties = [];
            foreach (var (name, value) in applicationProperties)
            {
                properties[name] = value;
            }
        }

        Map? symbols = null;
        if (annotations is not null)
        {
            symbols = [];
            foreach (var (name, value) in annotations)
            {
                symbols[new Symbol(name)] = value;
            }
        }

        log.Append([(null, body, null, properties, symbols)]);
    }

    /// <summary>Events in each partition.</summary>
    public IReadOnlyList<int> Counts => [.. Hub.Partitions.Select(p => p.Count)];

    /// <summary>Drops every connection at once (no AMQP close: as a crashed broker) and stops listening; the events stay.</summary>
    public void Stop()
    {
        ContainerHost? host;
        lock (_gate)
        {
            host = _host;
            _host = null;
        }

        foreach (var socket in _sockets.Keys)
        {
            try
            {
                socket.Close(0);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        _sockets.Clear();
        host?.Close();
        Hub.CloseAll();
    }

    /// <summary>Listens again on the same port after <see cref="Stop"/> (retrying while the port is not yet free).</summary>
    public async Task StartAgainAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Listen();
                return;
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A crash and a restart, <paramref name="downtime"/> apart.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        Stop();
        await Task.Delay(downtime);
        await StartAgainAsync();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Listen()
    {
        var host = new ContainerHost(new Address("127.0.0.1", Port, null, null, "/", _certificate is null ? "amqp" : "amqps"));
        var listener = host.Listeners[0];
        if (_certificate is not null)
        {
            listener.SSL.Certificate = _certificate;
        }

        listener.SASL.EnableMechanism(new Symbol("MSSBCBS"), SaslProfile.Anonymous);
        listener.HandlerFactory = _ => new SocketTracker(_sockets);
        listener.AMQP.MaxFrameSize = 256 * 1024;
        host.RegisterRequestProcessor("$cbs", new CbsNode(Hub));
        host.RegisterRequestProcessor("$management", new ManagementNode(Hub));
        host.RegisterLinkProcessor(new HubLinks(Hub, MaxMessageBytes));
        if (Environment.GetEnvironmentVariable("FLEET_EVENTHUBS_DOUBLE_TRACE") == "1")
        {
            Trace.TraceLevel = TraceLevel.Frame | TraceLevel.Verbose;
            Trace.TraceListener = (level, format, args) => Console.Error.WriteLine("[eventhubs-double] " + string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        }

        try
        {
            host.Open();
        }
        catch
        {
            host.Close();
            throw;
        }

        lock (_gate)
        {
            _host = host;
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    // Keeps each accepted socket, so that Stop can drop them the way a crash does.
    private sealed class SocketTracker(ConcurrentDictionary<Socket, byte> sockets) : IHandler
    {
        public bool CanHandle(EventId id) => id == EventId.SocketAccept;

        public void Handle(Event protocolEvent)
        {
            if (protocolEvent.Context is Socket socket)
            {
                sockets[socket] = 0;
            }
        }
    }
}
