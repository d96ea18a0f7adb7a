using System.Net;
using FleetGrains.LocalServers;
using k8s.Models;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// The kubelet's part, done by hand for the pods of rendered Deployments: each pod is a silo process with exactly its
/// container's environment, its pod IP a loopback address of its own (so every pod keeps the chart's ports), its
/// pod name, the Redis Secret read as <paramref name="redisConnectionString"/>, the admin key Secret as
/// <see cref="SiloProcess.AdminKey"/> (which the pods' <see cref="SiloProcess.Http"/> sends), and its CPU limit, when the container
/// has one, enforced by a cgroup.
/// </summary>
public sealed class LocalKubelet(string redisConnectionString) : IAsyncDisposable
{
    private readonly List<(SiloProcess Process, PodCpuLimit? Cpu)> _pods = [];

    /// <summary>The pods started so far, running or not, in the order they were started.</summary>
    public IReadOnlyList<SiloProcess> Pods => [.. _pods.Select(p => p.Process)];

    /// <summary>CFS periods in which pods were throttled by their CPU limits, all pods together.</summary>
    public long ThrottledPeriods => _pods.Sum(p => p.Cpu?.ThrottledPeriods ?? 0);

    public SiloProcess Start(V1Deployment deployment, string podIp, string podName)
    {
        var container = Silo(deployment);
        var environment = new Dictionary<string, string>();
        foreach (var variable in container.Env)
        {
            environment[variable.Name] = variable.ValueFrom switch
            {
                { FieldRef.FieldPath: "status.podIP" } => podIp,
                { FieldRef.FieldPath: "metadata.name" } => podName,
                { SecretKeyRef.Key: "admin-key" } => SiloProcess.AdminKey,
                { SecretKeyRef: not null } => redisConnectionString,
                null => Expand(variable.Value, environment),
                _ => throw new InvalidOperationException($"{variable.Name}: a value source this test does not know"),
            };
        }

        var cpu = container.Resources?.Limits?.TryGetValue("cpu", out var limit) == true
            ? PodCpuLimit.Create($"fleetgrains-{podName}-{Guid.NewGuid():N}", limit.ToDecimal())
            : null;
        var port = container.Ports.Single(p => p.Name == "http").ContainerPort;
        var pod = SiloProcess.LaunchWithEnvironment(podName, new Uri($"http://{podIp}:{port}"), environment, launcher: cpu?.Launcher);
        _pods.Add((pod, cpu));
        return pod;
    }

    public static V1Container Silo(V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "silo");

    /// <summary>What an HTTP probe of <paramref name="path"/> gets: the status code, or null when nothing answers.</summary>
    public static async Task<HttpStatusCode?> ProbeAsync(SiloProcess pod, string path)
    {
        try
        {
            using var response = await pod.Http.GetAsync(path);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null; // not listening: what the kubelet counts as a failed probe
        }
    }

    /// <summary>Probes until <paramref name="probe"/> answers <paramref name="expected"/>; fails when the pod exits or the time is up.</summary>
    public static async Task WaitForProbeAsync(SiloProcess pod, V1Probe probe, HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await ProbeAsync(pod, probe.HttpGet.Path) != expected)
        {
            Assert.False(pod.HasExited, $"{pod.Name} exited:\n{pod.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"{pod.Name}: {probe.HttpGet.Path} did not answer {expected} within {timeout}\n{pod.Output[^Math.Min(3000, pod.Output.Length)..]}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (pod, cpu) in _pods)
        {
            await pod.DisposeAsync();
            cpu?.Dispose();
        }
    }

    // The kubelet's $(VAR) expansion of variables defined before.
    private static string Expand(string value, Dictionary<string, string> defined) =>
        defined.Aggregate(value, (text, variable) => text.Replace($"$({variable.Key})", variable.Value, StringComparison.Ordinal));
}
