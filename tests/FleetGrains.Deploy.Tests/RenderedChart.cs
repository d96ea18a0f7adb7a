using k8s;
using k8s.Models;

namespace FleetGrains.Deploy.Tests;

/// <summary>The chart rendered with one values file, parsed strictly: an unknown field anywhere fails the parse.</summary>
public sealed class RenderedChart
{
    private static readonly Dictionary<string, Type> CustomResources = new()
    {
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(ScaledObject),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = typeof(TriggerAuthentication),
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
    };

    private RenderedChart(IReadOnlyList<object> objects) => Objects = objects;

    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<V1Deployment> Deployments => Objects.OfType<V1Deployment>();

    public V1Deployment Silos(string role) => Deployments.Single(d => d.Metadata.Name.EndsWith($"-{role}", StringComparison.Ordinal));

    public V1Deployment? SilosOrNone(string role) => Deployments.SingleOrDefault(d => d.Metadata.Name.EndsWith($"-{role}", StringComparison.Ordinal));

    /// <summary>The labels of every pod the chart's workloads make, by workload name.</summary>
    public Dictionary<string, IDictionary<string, string>> PodLabels =>
        Deployments.Select(d => (d.Metadata.Name, d.Spec.Template.Metadata.Labels))
            .Concat(Objects.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template.Metadata.Labels)))
            .ToDictionary(w => w.Name, w => w.Labels);

    public static RenderedChart From(string valuesFile) =>
        new(KubernetesYaml.LoadAllFromString(Helm.Template(valuesFile), CustomResources, strict: true));

    public static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    /// <summary>The workloads whose pods <paramref name="selector"/> selects.</summary>
    public List<string> Selected(IDictionary<string, string> selector) =>
        [.. PodLabels.Where(w => Selects(selector, w.Value)).Select(w => w.Key)];
}
