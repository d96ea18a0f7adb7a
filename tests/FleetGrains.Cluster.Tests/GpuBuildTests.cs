using System.Text.Json;
using FleetGrains.LocalServers;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// The silo's GPU build (<c>-p:FleetGpu=true</c>: the real Microsoft.ML.OnnxRuntime.Gpu package, which test.sh
/// builds) on this machine without a GPU: with the CUDA provider configured it serves the models on CPU and says so.
/// </summary>
public sealed class GpuBuildTests : IAsyncLifetime
{
    private SiloProcess? _silo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheGpuBuild_WithTheCudaProviderConfigured_ServesModelsOnCpu_AndSaysSo()
    {
        var native = Path.Combine(Path.GetDirectoryName(SiloProcess.GpuSiloAssembly)!, "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(native, "libonnxruntime_providers_cuda.so")), $"the GPU build carries no CUDA provider in {native}");

        _silo = await SiloProcess.StartAsync("gpu", new Dictionary<string, string>
        {
            ["Fleet:Inference:ExecutionProvider"] = "Cuda",
            ["Fleet:Simulator:Enabled"] = "true",
            ["Fleet:Simulator:Devices"] = "30",
            ["Fleet:Simulator:Fleets"] = "turbines:8",
            ["Logging:LogLevel:Default"] = "Information",
        }, gpuBuild: true);

        // The turbines' RUL model is scored: on CPU, since CUDA cannot be loaded here.
        await ClusterHarness.WaitUntilAsync(async () =>
        {
            using var response = await _silo.Http.GetAsync("/api/devices/turbines/turbines-00000");
            return response.IsSuccessStatusCode
                && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("scoring").GetProperty("rul").ValueKind == JsonValueKind.Number;
        }, TimeSpan.FromSeconds(90));

        using var ready = await _silo.Http.GetAsync("/health/ready");
        var models = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("models");
        Assert.Equal("Degraded", models.GetProperty("status").GetString());
        Assert.StartsWith("Serving models on Cpu instead of Cuda", models.GetProperty("description").GetString());
        Assert.Contains("CUDAExecutionProvider", models.GetProperty("description").GetString()); // the real GPU package offers it
        Assert.Contains("Execution provider Cuda is not available; serving models on CPU", _silo.Output);
        var metrics = await _silo.Http.GetStringAsync("/metrics");
        Assert.Equal(1, Assert.Single(PrometheusScrape.Samples(metrics, "fleet_inference_provider_fallbacks_total")).Value);
        // The inference pressure model silos scale on, per model.
        Assert.Contains(PrometheusScrape.Samples(metrics, "fleet_inference_queued_rows"), s => s.Labels["model"] == "sim-turbines-rul");
    }
}
