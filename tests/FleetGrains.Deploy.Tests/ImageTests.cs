using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FleetGrains.Silo.Hosting;

namespace FleetGrains.Deploy.Tests;

/// <summary>
/// The images as built offline, inspected: user, entrypoint, ports, what they carry; and, since no container can
/// run on these machines, the image's own files (its .NET runtime and published silo) run as a process.
/// </summary>
public sealed class ImageTests(Images images) : IClassFixture<Images>
{
    [Fact]
    public async Task BothImages_RunTheSilo_AsANonRootUser_OnTheChartsPorts()
    {
        foreach (var image in (string[])[images.Cpu, images.Gpu])
        {
            var config = (await Images.InspectAsync(image)).GetProperty("Config");

            Assert.Equal("10001:10001", config.GetProperty("User").GetString());
            Assert.Equal(["/usr/share/dotnet/dotnet", "/app/FleetGrains.Silo.dll"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["11111/tcp", "30000/tcp", "8080/tcp"], config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Contains("DOTNET_gcServer=1", config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        }
    }

    [Fact]
    public async Task TheImages_CarryTheModelsFleetctlAndTheRuntime_AndOnlyTheGpuImageTheCudaProvider()
    {
        var models = Directory.GetFiles(Path.Combine(Helm.RepositoryRoot, "models"), "*.onnx").Select(Path.GetFileName).Order().ToList();
        foreach (var (image, gpu) in new[] { (images.Cpu, false), (images.Gpu, true) })
        {
            var root = await Images.MountAsync(image);
            try
            {
                Assert.Equal(models, Directory.GetFiles(Path.Combine(root, "app", "models"), "*.onnx").Select(Path.GetFileName).Order());
                Assert.True(File.Exists(Path.Combine(root, "opt", "fleetctl", "fleetctl")), "fleetctl is missing");
                Assert.True(Directory.Exists(Path.Combine(root, "usr", "share", "dotnet", "shared", "Microsoft.AspNetCore.App")), "the ASP.NET Core runtime is missing");
                Assert.Equal(gpu, File.Exists(Path.Combine(root, "app", "libonnxruntime_providers_cuda.so")));
            }
            finally
            {
                await Images.UnmountAsync(image);
            }
        }
    }

    [Fact]
    public async Task TheCpuImagesOwnFiles_RunASilo_ThatAnswersItsProbes()
    {
        var root = await Images.MountAsync(images.Cpu);
        var config = (await Images.InspectAsync(images.Cpu)).GetProperty("Config");
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(root, "usr", "share", "dotnet", "dotnet"))
        {
            WorkingDirectory = Path.Combine(root, "app"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(root, "app", "FleetGrains.Silo.dll"));
        foreach (var variable in config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)))
        {
            start.Environment[variable[0]] = variable[1];
        }

        // As a pod would run it, but on loopback with free ports, and the image's runtime wherever it is mounted.
        start.Environment["DOTNET_ROOT"] = Path.Combine(root, "usr", "share", "dotnet");
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Fleet__Cluster__SiloPort"] = FreePort().ToString();
        start.Environment["Fleet__Cluster__GatewayPort"] = "0";
        using var silo = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        silo.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        silo.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            HttpStatusCode? ready = null;
            while (ready != HttpStatusCode.OK && DateTime.UtcNow < deadline && !silo.HasExited)
            {
                await Task.Delay(500);
                try
                {
                    ready = (await http.GetAsync(FleetHostingExtensions.ReadyPath)).StatusCode;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }

            Assert.True(ready == HttpStatusCode.OK, $"the image's silo never became ready ({ready}):\n{output}");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(FleetHostingExtensions.LivePath)).StatusCode);
            Assert.Contains("# TYPE ", await http.GetStringAsync(FleetHostingExtensions.MetricsPath));
        }
        finally
        {
            silo.Kill(entireProcessTree: true);
            await silo.WaitForExitAsync();
            await Images.UnmountAsync(images.Cpu);
        }
    }

    [Fact]
    public void TheDockerfilesRuntimeStage_HasTheContainerfilesSteps()
    {
        var containerfile = RuntimeSteps(File.ReadAllLines(Path.Combine(Helm.RepositoryRoot, "deploy", "Containerfile")), "COPY dotnet/");
        var dockerfile = RuntimeSteps(File.ReadAllLines(Path.Combine(Helm.RepositoryRoot, "deploy", "Dockerfile")), "COPY --from=build /out/dotnet/")
            .Select(l => l.Replace("--from=build /out/", "", StringComparison.Ordinal)).ToList();

        Assert.True(containerfile.Count > 10);
        Assert.Equal(containerfile, dockerfile);
    }

    // The steps from the first copy of the runtime on, without comments and blank lines.
    private static List<string> RuntimeSteps(string[] lines, string firstStep) =>
        [.. lines.SkipWhile(l => !l.StartsWith(firstStep, StringComparison.Ordinal)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
