using System.Runtime.CompilerServices;
using Amqp;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// Everything of one Event Hub that outlives a restart of the double's listener: its partitions' events, its
/// consumer groups and key. Also, per connection, the audiences a put-token granted, and per consumer group and
/// partition the receivers now open (for epochs); both end with the connections, as on the service.
/// </summary>
public sealed class HubState
{
    private readonly ConditionalWeakTable<Connection, HashSet<string>> _grants = [];
    private readonly Dictionary<(string Group, string Partition), List<PartitionReader>> _readers = [];
    private readonly Lock _readersGate = new();

    public HubState(string name, int partitions, IEnumerable<string> consumerGroups, string keyName, string key)
    {
        Name = name;
        Partitions = [.. Enumerable.Range(0, partitions).Select(p => new PartitionLog(p.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        ConsumerGroups = new HashSet<string>(consumerGroups, StringComparer.OrdinalIgnoreCase);
        Signatures = new SharedAccessSignature(keyName, key, name);
    }

    public string Name { get; }

    public DateTime CreatedAtUtc { get; } = DateTime.UtcNow;

    public IReadOnlyList<PartitionLog> Partitions { get; }

    public IReadOnlySet<string> ConsumerGroups { get; }

    public SharedAccessSignature Signatures { get; }

    /// <summary>The Entra ID whose access tokens (<c>jwt</c> put-tokens) sign clients in; none: only shared access signatures do.</summary>
    public EntraIdDouble? TrustedIssuer { get; set; }

    /// <summary>Null when <paramref name="token"/> (of a put-token or a management request's <c>security_token</c>) is a good shared access signature or access token of <see cref="TrustedIssuer"/>; else why not.</summary>
    public string? TokenProblem(string? token) =>
        TrustedIssuer is { } issuer && token?.StartsWith("SharedAccessSignature ", StringComparison.Ordinal) == false
            ? issuer.Problem(token)
            : Signatures.Problem(token);

    public PartitionLog? Partition(string id) => Partitions.FirstOrDefault(p => p.Id == id);

    /// <summary>The partition a partition key hashes to (stable for the double's lifetime, as the service's is).</summary>
    public PartitionLog PartitionFor(string partitionKey)
    {
        var hash = 2166136261u;
        foreach (var c in partitionKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return Partitions[(int)(hash % (uint)Partitions.Count)];
    }

    public void Grant(Connection connection, string audiencePath)
    {
        var grants = _grants.GetOrCreateValue(connection);
        lock (grants)
        {
            grants.Add(audiencePath.TrimEnd('/'));
        }
    }

    /// <summary>Whether a put-token on this connection covers <paramref name="address"/> (the token's audience is it or lies above it).</summary>
    public bool IsGranted(Connection connection, string address)
    {
        if (!_grants.TryGetValue(connection, out var grants))
        {
            return false;
        }

        lock (grants)
        {
            return grants.Any(g => string.Equals(address, g, StringComparison.OrdinalIgnoreCase)
                || address.StartsWith(g + "/", StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// Opens a receiver as the service does with epochs: one with an epoch takes the partition from every receiver with
    /// the same or a lower epoch and from receivers without one; it is refused when a higher epoch reads, and a receiver
    /// without an epoch is refused while one with an epoch reads. Returns the receivers to disconnect, or why this one is refused.
    /// </summary>
    public (List<PartitionReader> Displaced, string? Refusal) Open(PartitionReader reader)
    {
        lock (_readersGate)
        {
            var key = (reader.ConsumerGroup.ToLowerInvariant(), reader.Log.Id);
            if (!_readers.TryGetValue(key, out var open))
            {
                _readers[key] = open = [];
            }

            var epochs = open.Where(r => r.Epoch is not null).ToList();
            if (reader.Epoch is not { } epoch)
            {
                if (epochs.Count > 0)
                {
                    return ([], $"At least one receiver for the endpoint is created with epoch of '{epochs[0].Epoch}', and so non-epoch receiver is not allowed.");
                }

                open.Add(reader);
                return ([], null);
            }

            if (epochs.FirstOrDefault(r => r.Epoch > epoch) is { } higher)
            {
                return ([], $"Receiver '{reader.Name}' with epoch '{epoch}' is refused: a receiver with the higher epoch '{higher.Epoch}' reads.");
            }

            List<PartitionReader> displaced = [.. open];
            open.Clear();
            open.Add(reader);
            return (displaced, null);
        }
    }

    public void Close(PartitionReader reader)
    {
        lock (_readersGate)
        {
            if (_readers.TryGetValue((reader.ConsumerGroup.ToLowerInvariant(), reader.Log.Id), out var open))
            {
                open.Remove(reader);
            }
        }
    }

    /// <summary>Forgets every open receiver (the listener stopped: their connections are gone).</summary>
    public void CloseAll()
    {
        lock (_readersGate)
        {
            _readers.Clear();
        }
    }
}
