using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleetGrains.LocalServers;

/// <summary>
/// One FleetGrains silo as its own process (the silo project's build output, run with <c>dotnet</c>), configured
/// through environment variables exactly as a pod would be; on loopback with random ports.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The admin key (<c>Fleet:Security:AdminKey</c>) the silos started here are given; <see cref="Http"/> sends it.</summary>
    public const string AdminKey = "local-servers-admin-key-0123456789-abcdefgh";

    /// <summary>The header an API key travels in.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, Uri baseAddress, string name)
    {
        _process = process;
        Name = name;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add(ApiKeyHeader, AdminKey);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The CPU time the silo process has used so far (all its threads).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Rows the silo's scoring refused so far (a batcher's or model host's queue was full), from its <c>/metrics</c>.</summary>
    public async Task<double> RowsRefusedForScoringAsync() => PrometheusScrape.SumOf(await Http.GetStringAsync("/metrics"), "fleet_inference_refused");

    /// <summary>The silo's garbage-collector counters now (from its <c>/metrics</c>).</summary>
    public async Task<GcCounters> GcCountersAsync() => GcCounters.Parse(await Http.GetStringAsync("/metrics"));

    /// <summary>The silo's request-duration histograms now (from its <c>/metrics</c>).</summary>
    public async Task<ServerRequestDurations> RequestDurationsAsync() => ServerRequestDurations.Parse(await Http.GetStringAsync("/metrics"));

    /// <summary>The most physical memory the silo process has used so far.</summary>
    public long PeakWorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>What the silo printed; once it has exited, including its last lines (an abort's reason comes last).</summary>
    public string Output
    {
        get
        {
            if (_process.HasExited)
            {
                // HasExited turns true before the output readers reach the end of the streams.
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }

            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The silo project's build output in the same configuration as the running program's.</summary>
    public static string SiloAssembly => SiloAssemblyOf(gpuBuild: false);

    /// <summary>The silo's GPU build (<c>-p:FleetGpu=true</c>, output in <c>bin/gpu</c>), in the same configuration.</summary>
    public static string GpuSiloAssembly => SiloAssemblyOf(gpuBuild: true);

    private static string SiloAssemblyOf(bool gpuBuild)
    {
        var programOutput = AppContext.BaseDirectory; // …/<project>/bin/<Configuration>/net10.0/
        var framework = new DirectoryInfo(programOutput).Name;
        var configuration = new DirectoryInfo(programOutput).Parent!.Name;
        var root = new DirectoryInfo(programOutput);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "FleetGrains.sln")))
        {
            root = root.Parent;
        }

        var bin = Path.Combine(root!.FullName, "src", "FleetGrains.Silo", "bin");
        var path = Path.Combine(gpuBuild ? Path.Combine(bin, "gpu") : bin, configuration, framework, "FleetGrains.Silo.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The silo is not built at {path}{(gpuBuild ? " (test.sh builds it with -p:FleetGpu=true)" : "")}.");
    }

    /// <summary>
    /// Starts a silo with <paramref name="settings"/> (configuration keys like <c>Fleet:Cluster:Redis</c>) and, when
    /// given, further <paramref name="environment"/> variables (for the runtime, such as a trace), and waits until it is ready.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null, bool gpuBuild = false)
    {
        var silo = Launch(name, settings, environment, gpuBuild);
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>Starts a silo process and returns at once, before it is ready (see <see cref="WaitReadyAsync"/>).</summary>
    public static SiloProcess Launch(string name, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null, bool gpuBuild = false)
    {
        var httpPort = LocalServer.FreePort();
        var assembly = SiloAssemblyOf(gpuBuild);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Fleet__Simulator__Enabled"] = "false";
        start.Environment["Fleet__Cluster__SiloPort"] = LocalServer.FreePort().ToString();
        start.Environment["Fleet__Cluster__GatewayPort"] = "0";
        start.Environment["Fleet__Cluster__AdvertisedAddress"] = "127.0.0.1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Fleet__Security__AdminKey"] = AdminKey;
        // The load tests measure what a silo carries, not its rate limits.
        start.Environment["Fleet__Security__RateLimits__IngestPerWindow"] = "1000000";
        start.Environment["Fleet__Security__RateLimits__ApiPerWindow"] = "1000000";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        return new SiloProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{httpPort}"), name);
    }

    /// <summary>
    /// Starts the silo with exactly <paramref name="environment"/> (besides what finds <c>dotnet</c>: PATH, HOME,
    /// DOTNET_ROOT), as a pod of a rendered Deployment would run; <paramref name="baseAddress"/> is where its API
    /// will listen. By default the silo's build output on the SDK's <c>dotnet</c>; <paramref name="dotnet"/> and
    /// <paramref name="assembly"/> name others (an image's runtime and silo); <paramref name="launcher"/>, a command that
    /// runs the silo's command line given as its last arguments (e.g. one that first puts itself in a cgroup and then
    /// execs it). Returns at once, before it is ready.
    /// </summary>
    public static SiloProcess LaunchWithEnvironment(
        string name, Uri baseAddress, IReadOnlyDictionary<string, string> environment, string dotnet = "dotnet", string? assembly = null,
        IReadOnlyList<string>? launcher = null)
    {
        assembly ??= SiloAssembly;
        string[] command = [.. launcher ?? [], dotnet, assembly];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        var inherited = new[] { "PATH", "HOME", "DOTNET_ROOT" }.Select(v => (v, Environment.GetEnvironmentVariable(v))).Where(v => v.Item2 is not null).ToList();
        start.Environment.Clear();
        foreach (var (variable, value) in inherited)
        {
            start.Environment[variable] = value;
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        return new SiloProcess(Process.Start(start)!, baseAddress, name);
    }

    /// <summary>Sends SIGTERM (what the kubelet sends a pod) and returns at once.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Waits until the process has exited, at most <paramref name="timeout"/>; false when it had not.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process at once (SIGKILL): no graceful shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Asks the silo to stop (SIGTERM) and waits until it has left the cluster.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Terminate();
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"Silo {Name} did not stop within 60 s of SIGTERM.");
        }
    }

    /// <summary>
    /// GETs <paramref name="path"/> as JSON; a 429 (the chart's pods keep their rate limits) or a 503 with
    /// <c>Retry-After</c> (a grain the cluster is moving) is asked again after the time it says, as clients are told to.
    /// </summary>
    public async Task<T> GetJsonAsync<T>(string path)
    {
        var response = await Http.GetAsync(path);
        for (var attempt = 0; attempt < 10 && (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests
            || (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)); attempt++)
        {
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            response = await Http.GetAsync(path);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} on {Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        Http.Dispose();
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails when the process exits first.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Silo {Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await Http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Silo {Name} was not ready within {timeout}:\n{Output}");
    }

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
}
