using System.Net;
using FleetGrains.LocalServers;
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
        var environment = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        // As a pod would run it, but on loopback with free ports, and the image's runtime wherever it is mounted.
        var port = LocalServer.FreePort();
        environment["DOTNET_ROOT"] = Path.Combine(root, "usr", "share", "dotnet");
        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Fleet__Cluster__SiloPort"] = LocalServer.FreePort().ToString();
        environment["Fleet__Cluster__GatewayPort"] = "0";
        var silo = SiloProcess.LaunchWithEnvironment(
            "image", new Uri($"http://127.0.0.1:{port}"), environment,
            dotnet: Path.Combine(root, "usr", "share", "dotnet", "dotnet"), assembly: Path.Combine(root, "app", "FleetGrains.Silo.dll"));
        try
        {
            await silo.WaitReadyAsync(TimeSpan.FromSeconds(90)); // /health/ready answers 200, or it fails with the silo's output
            Assert.Equal(HttpStatusCode.OK, (await silo.Http.GetAsync(FleetHostingExtensions.LivePath)).StatusCode);
            Assert.Contains("# TYPE ", await silo.Http.GetStringAsync(FleetHostingExtensions.MetricsPath));
        }
        finally
        {
            await silo.DisposeAsync();
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
}
