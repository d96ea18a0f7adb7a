using System.Diagnostics;
using System.Net;
using FleetGrains.Deploy.Tests;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.LocalServers;
using k8s.Models;
using Xunit.Abstractions;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// The chart's pods without Kubernetes: the core and model silo Deployments rendered from the chart, each replica
/// started as a silo process with exactly its container's environment (<see cref="LocalKubelet"/>), against a
/// private redis-server.
/// </summary>
public sealed class PodsWithoutKubernetesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<SiloProcess> _pods = [];
    private RedisServer _redis = null!;
    private LocalKubelet _kubelet = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _kubelet = new LocalKubelet(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _kubelet.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task TheChartsPods_FormOneCluster_AnswerTheirProbes_AndASigtermedPodHandsOverLosingNothing()
    {
        const string Fleet = "pods";
        const int Devices = 200, PerDevice = 60;
        var chart = RenderedChart.From("default-values.yaml");
        var core = chart.Silos("core");
        var models = chart.Silos("models");
        var silo = LocalKubelet.Silo(core); // the probes are the same for both roles
        var address = 2;
        foreach (var (deployment, replicas) in new[] { (core, 2), (models, 1) })
        {
            for (var replica = 0; replica < replicas; replica++)
            {
                _pods.Add(_kubelet.Start(deployment, $"127.0.0.{address++}", $"{deployment.Metadata.Name}-{replica}"));
            }
        }

        foreach (var pod in _pods)
        {
            await LocalKubelet.WaitForProbeAsync(pod, silo.StartupProbe, HttpStatusCode.OK, TimeSpan.FromSeconds(120));
            await LocalKubelet.WaitForProbeAsync(pod, silo.ReadinessProbe, HttpStatusCode.OK, TimeSpan.FromSeconds(120));
            Assert.Equal(HttpStatusCode.OK, (await pod.Http.GetAsync(silo.LivenessProbe.HttpGet.Path)).StatusCode);
        }

        // One cluster: telemetry read by the core pods reaches devices wherever they live; the turbines' RUL model
        // is hosted on the model pod alone.
        using var redis = await ClusterHarness.ConnectAsync(_redis);
        var db = redis.GetDatabase();
        var producing = ClusterHarness.ProduceAsync(db, Fleet, Devices, PerDevice);
        var turbines = string.Join('\n', Enumerable.Range(0, 80).Select(seq =>
            $$"""{"fleetId":"turbines","deviceId":"t1","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000 + seq}},"seq":{{seq}},"values":[1,2,3,4,5,6,7,8]}"""));
        Assert.Equal(HttpStatusCode.Accepted, (await _pods[0].Http.PostAsync("/api/telemetry", new StringContent(turbines, System.Text.Encoding.UTF8, "application/x-ndjson"))).StatusCode);
        await ClusterHarness.WaitUntilAsync(async () => (await _pods[0].Http.GetStringAsync("/api/devices/turbines/t1")).Contains("\"rul\":", StringComparison.Ordinal)
            && !(await _pods[0].Http.GetStringAsync("/api/devices/turbines/t1")).Contains("\"rul\":null", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var hosts = new List<string>();
        foreach (var pod in _pods)
        {
            if (PrometheusScrape.Samples(await pod.Http.GetStringAsync("/metrics"), "fleet_inference_queued_rows").Count > 0)
            {
                hosts.Add(pod.Name);
            }
        }

        Assert.Equal([_pods[2].Name], hosts);

        // SIGTERM a core pod while it ingests: unready at once, its partitions handed over, gone within the grace period.
        await ClusterHarness.WaitUntilAsync(async () => await OwnedAsync(_pods[1]) > 0, TimeSpan.FromSeconds(60));
        var leaving = _pods[1];
        var leavingName = (await leaving.GetJsonAsync<SourcesView>("/api/sources")).Silo;
        var stopwatch = Stopwatch.StartNew();
        leaving.Terminate();
        TimeSpan? unready = null;
        while (unready is null && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await LocalKubelet.ProbeAsync(leaving, silo.ReadinessProbe.HttpGet.Path) != HttpStatusCode.OK)
            {
                unready = stopwatch.Elapsed;
            }
        }

        var grace = TimeSpan.FromSeconds(core.Spec.Template.Spec.TerminationGracePeriodSeconds!.Value);
        Assert.True(await leaving.WaitForExitAsync(grace), $"the pod did not exit within its grace period {grace}");
        var exited = stopwatch.Elapsed;
        Assert.Equal(0, leaving.ExitCode);
        Assert.NotNull(unready);
        Assert.True(unready < TimeSpan.FromSeconds(5), $"unready only after {unready}");
        output.WriteLine($"SIGTERM: unready after {unready!.Value.TotalMilliseconds:F0} ms, exited after {exited.TotalSeconds:F1} s (grace period {grace.TotalSeconds} s)");

        // Handed over, not left to expire: the leaving pod's last word on each partition it held is "released".
        var handedOver = 0;
        for (var p = 0; p < ClusterHarness.Partitions; p++)
        {
            var log = await ClusterHarness.OwnershipLogAsync(db, StreamPartitioner.StreamKey(ClusterHarness.StreamPrefix, p));
            if (log.FindLast(e => e.Owner == leavingName) is { Owner: not null } last)
            {
                Assert.Equal("released", last.Change);
                handedOver++;
            }
        }

        Assert.True(handedOver > 0, "the leaving pod held no partition");
        output.WriteLine($"{handedOver} partitions handed over by {leaving.Name}");

        Assert.Equal(Devices * PerDevice, await producing);
        await ClusterHarness.WaitDrainedAsync(db, TimeSpan.FromSeconds(180), () => ClusterHarness.Logs([.. _pods]));
        await ClusterHarness.AssertDevicesAsync(_pods[0], Fleet, Devices, PerDevice, PerDevice - 1);
    }

    private static async Task<int> OwnedAsync(SiloProcess pod)
    {
        var sources = await pod.GetJsonAsync<SourcesView>("/api/sources");
        return sources.Partitions!.Count(p => p.Owner == sources.Silo);
    }
}
