using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleetGrains.LocalServers;

/// <summary>A server program started for one test on loopback: its process, its output (for failure messages), a free port.</summary>
public abstract class LocalServer : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    protected LocalServer(string program)
    {
        Program = Locate(program);
        Port = FreePort();
        Directory = System.IO.Directory.CreateTempSubdirectory($"fleetgrains-{program}-").FullName;
    }

    public int Port { get; }

    public string Program { get; }

    public string Directory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the program and waits until its port accepts connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Program} exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{Program} did not listen on port {Port} within 20 s: {Output}");
    }

    /// <summary>Kills the process at once (SIGKILL): what a crash looks like.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        GC.SuppressFinalize(this);
    }

    protected abstract IEnumerable<string> Arguments();

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    // In CI the test command has installed the servers; a missing one fails the test, it never skips it.
    private static string Locate(string program)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException(
            $"{program} is not installed. The test command (bash test.sh) installs it as root (apt-get install -y redis-server mosquitto); or install it yourself.");
    }
}

/// <summary>
/// A private redis-server: loopback, random port, in its own directory; durable (the default), with an append-only
/// file fsynced on every write, so that a killed and restarted Redis keeps everything it acknowledged; otherwise
/// in memory only (for load tests that measure throughput, not durability).
/// </summary>
public sealed class RedisServer(bool durable = true, Func<RedisServer, IEnumerable<string>>? moreArguments = null) : LocalServer("redis-server")
{
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <param name="moreArguments">Directives after the defaults, which they override (e.g. TLS only on <see cref="LocalServer.Port"/>, ACL users).</param>
    public static async Task<RedisServer> StartNewAsync(bool durable = true, Func<RedisServer, IEnumerable<string>>? moreArguments = null)
    {
        var server = new RedisServer(durable, moreArguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Kills Redis and starts it again on the same port with the same data.</summary>
    public async Task RestartAsync(TimeSpan downFor)
    {
        await KillAsync();
        await Task.Delay(downFor);
        await StartAsync();
    }

    protected override IEnumerable<string> Arguments() =>
    [
        "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", Directory, "--save", "",
        "--appendonly", durable ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no", "--logfile", "",
        .. moreArguments?.Invoke(this) ?? [],
    ];
}

/// <summary>A private mosquitto broker on loopback with a random port, allowing anonymous clients; queues are large enough for a test's burst.</summary>
public sealed class MosquittoBroker() : LocalServer("mosquitto")
{
    /// <param name="listenerSettings">
    /// Settings of the listener in place of <c>allow_anonymous true</c> (e.g. TLS files, <c>password_file</c>,
    /// <c>acl_file</c>), given the broker (its <see cref="LocalServer.Directory"/> holds the files).
    /// </param>
    public static async Task<MosquittoBroker> StartNewAsync(Func<MosquittoBroker, string>? listenerSettings = null)
    {
        var broker = new MosquittoBroker();
        // Run as whoever starts it (as root, mosquitto would switch to its own user, which cannot read a test's files).
        await File.WriteAllTextAsync(Path.Combine(broker.Directory, "mosquitto.conf"), $"""
            user {Environment.UserName}
            listener {broker.Port} 127.0.0.1
            {listenerSettings?.Invoke(broker) ?? "allow_anonymous true"}
            persistence false
            max_queued_messages 1000000
            """);
        await broker.StartAsync();
        return broker;
    }

    protected override IEnumerable<string> Arguments() => ["-c", Path.Combine(Directory, "mosquitto.conf")];
}
