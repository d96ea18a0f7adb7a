using System.Runtime.InteropServices;

namespace FleetGrains.LocalServers;

/// <summary>
/// librdkafka's own mock Kafka cluster, in this process: real brokers of the Kafka protocol on loopback ports that any
/// client (a silo process too) connects to by <see cref="BootstrapServers"/>. No Kafka broker can run on these machines;
/// this is the peer librdkafka's own tests use. Driven through librdkafka's C API (the mock cluster has no managed
/// API): topics are created explicitly, brokers can be taken down and brought back.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private bool _disposed;

    private KafkaMockCluster(IntPtr client, IntPtr cluster, int brokers)
    {
        _client = client;
        _cluster = cluster;
        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(Native.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster gave no bootstrap servers.");
    }

    /// <summary><c>host:port</c> of every broker, comma-separated.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers there are; their ids are 1 … <see cref="Brokers"/>.</summary>
    public int Brokers { get; }

    public static KafkaMockCluster Start(int brokers = 3)
    {
        var conf = Native.rd_kafka_conf_new();
        var error = new byte[512];
        // The owning client connects to nothing; its "no bootstrap.servers" notice is not worth printing.
        Native.rd_kafka_conf_set(conf, "log_level", "3", error, (UIntPtr)error.Length);
        var client = Native.rd_kafka_new(0, conf, error, (UIntPtr)error.Length);
        if (client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"librdkafka refused a client: {System.Text.Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        var cluster = Native.rd_kafka_mock_cluster_new(client, brokers);
        if (cluster == IntPtr.Zero)
        {
            Native.rd_kafka_destroy(client);
            throw new InvalidOperationException("librdkafka could not start a mock cluster.");
        }

        return new KafkaMockCluster(client, cluster, brokers);
    }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(Native.rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor), $"creating topic {topic}");

    /// <summary>Takes every broker down (connections closed, new ones refused) or brings them all back.</summary>
    public void SetAllBrokers(bool up)
    {
        for (var id = 1; id <= Brokers; id++)
        {
            Check(up ? Native.rd_kafka_mock_broker_set_up(_cluster, id) : Native.rd_kafka_mock_broker_set_down(_cluster, id), $"setting broker {id} {(up ? "up" : "down")}");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Native.rd_kafka_mock_cluster_destroy(_cluster);
        Native.rd_kafka_destroy(_client);
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"The mock cluster failed {what}: librdkafka error {error}.");
        }
    }

    private static class Native
    {
        private const string Library = "librdkafka";

        // The package ships several builds; the plain one needs libsasl2.so.3, which Debian does not have. Load the
        // first that loads, as Confluent.Kafka does.
        static Native() => NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, (name, _, _) => name == Library ? Load() : IntPtr.Zero);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_conf_new();

        [DllImport(Library)]
        public static extern int rd_kafka_conf_set(IntPtr conf, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, byte[] error, UIntPtr errorSize);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] error, UIntPtr errorSize);

        [DllImport(Library)]
        public static extern void rd_kafka_destroy(IntPtr client);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_mock_cluster_new(IntPtr client, int brokers);

        [DllImport(Library)]
        public static extern void rd_kafka_mock_cluster_destroy(IntPtr cluster);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

        [DllImport(Library)]
        public static extern int rd_kafka_mock_topic_create(IntPtr cluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);

        [DllImport(Library)]
        public static extern int rd_kafka_mock_broker_set_down(IntPtr cluster, int broker);

        [DllImport(Library)]
        public static extern int rd_kafka_mock_broker_set_up(IntPtr cluster, int broker);

        private static IntPtr Load()
        {
            var directory = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64", "native");
            foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
            {
                if (NativeLibrary.TryLoad(Path.Combine(directory, file), out var handle))
                {
                    return handle;
                }
            }

            throw new DllNotFoundException($"No build of librdkafka in {directory} loads on this machine.");
        }
    }
}
