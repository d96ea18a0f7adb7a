using System.Globalization;

namespace FleetGrains.Cluster.Tests;

/// <summary>
/// A pod's CPU limit enforced as the kubelet enforces it: a CFS quota (limit × period) on a cgroup of the pod's own,
/// through the cgroup v1 cpu controller or cgroup v2's cpu.max. The pod's process is started inside it through
/// <see cref="Launcher"/>, so the runtime sees its limit from its first instruction (processor count, GC heaps), as
/// in a container.
/// </summary>
public sealed class PodCpuLimit : IDisposable
{
    private const int PeriodMicroseconds = 100_000;
    private const string V1Controller = "/sys/fs/cgroup/cpu";
    private const string V2Root = "/sys/fs/cgroup";

    private readonly string _group;
    private readonly string _statistics;

    private PodCpuLimit(string group, string statistics)
    {
        _group = group;
        _statistics = statistics;
    }

    /// <summary>The command that runs the pod's command line (its last arguments) inside the group: it joins the group, then execs it.</summary>
    public IReadOnlyList<string> Launcher => ["sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", Path.Combine(_group, "cgroup.procs")];

    /// <summary>CFS periods in which the pod used up its quota and was made to wait (the limit at work).</summary>
    public long ThrottledPeriods =>
        File.ReadAllLines(Path.Combine(_group, _statistics))
            .Select(line => line.Split(' '))
            .Where(fields => fields[0] == "nr_throttled")
            .Select(fields => long.Parse(fields[1], CultureInfo.InvariantCulture))
            .Single();

    /// <summary>A group named <paramref name="name"/> limited to <paramref name="cores"/> CPUs (0.5: half of one).</summary>
    public static PodCpuLimit Create(string name, decimal cores)
    {
        var quota = ((long)(cores * PeriodMicroseconds)).ToString(CultureInfo.InvariantCulture);
        if (File.Exists(Path.Combine(V1Controller, "cpu.cfs_quota_us")))
        {
            var group = Path.Combine(V1Controller, name);
            Directory.CreateDirectory(group);
            File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), quota);
            return new PodCpuLimit(group, "cpu.stat");
        }

        var controllers = Path.Combine(V2Root, "cgroup.controllers");
        if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("cpu"))
        {
            File.WriteAllText(Path.Combine(V2Root, "cgroup.subtree_control"), "+cpu");
            var group = Path.Combine(V2Root, name);
            Directory.CreateDirectory(group);
            File.WriteAllText(Path.Combine(group, "cpu.max"), $"{quota} {PeriodMicroseconds}");
            return new PodCpuLimit(group, "cpu.stat");
        }

        throw new InvalidOperationException(
            $"No cgroup CPU controller to enforce a pod's CPU limit with: neither {V1Controller}/cpu.cfs_quota_us (cgroup v1) nor 'cpu' in {controllers} (cgroup v2). The test runs as root on Linux, as CI does.");
    }

    /// <summary>Removes the group; its processes must have exited.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_group))
        {
            Directory.Delete(_group);
        }
    }
}
