using System.Globalization;
using FleetGrains.Inference;
using FleetGrains.Ingestion;
using FleetGrains.Silo.Hosting;
using k8s.Models;

namespace FleetGrains.Deploy.Tests;

/// <summary>
/// The chart rendered with each values file of its matrix, parsed strictly into typed objects, and held against
/// what the silo really serves, binds and exports.
/// </summary>
public class ChartRenderTests
{
    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void EverySilosEnvironment_IsConfigurationTheSiloBinds_AndValidates(string valuesFile)
    {
        foreach (var deployment in RenderedChart.From(valuesFile).Deployments)
        {
            var problems = SiloConfiguration.Problems(Silo(deployment).Env);

            Assert.True(problems.Count == 0, $"{deployment.Metadata.Name}: {string.Join("; ", problems)}");
        }
    }

    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void Probes_PointAtTheSilosOwnEndpoints_OnThePortItListensOn(string valuesFile)
    {
        foreach (var deployment in RenderedChart.From(valuesFile).Deployments)
        {
            var silo = Silo(deployment);
            var http = silo.Ports.Single(p => p.Name == "http").ContainerPort;
            Assert.Equal($"http://$(POD_IP):{http}", Env(silo, "Urls"));
            Assert.Equal(FleetHostingExtensions.LivePath, silo.StartupProbe.HttpGet.Path);
            Assert.Equal(FleetHostingExtensions.LivePath, silo.LivenessProbe.HttpGet.Path);
            Assert.Equal(FleetHostingExtensions.ReadyPath, silo.ReadinessProbe.HttpGet.Path);
            Assert.All([silo.StartupProbe, silo.LivenessProbe, silo.ReadinessProbe], p => Assert.Equal("http", p.HttpGet.Port.Value));
            Assert.Equal(1, silo.ReadinessProbe.FailureThreshold); // unready at the first failed check: a stopping silo leaves at once
        }
    }

    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void Silos_FollowTheOrleansGuidance_ForClustersOfSeveralDeployments(string valuesFile)
    {
        foreach (var deployment in RenderedChart.From(valuesFile).Deployments)
        {
            var silo = Silo(deployment);
            var pod = deployment.Spec.Template.Spec;
            Assert.Equal("status.podIP", silo.Env.Single(e => e.Name == "POD_IP").ValueFrom.FieldRef.FieldPath);
            Assert.Equal("metadata.name", silo.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
            Assert.Equal("$(POD_IP)", Env(silo, "Fleet__Cluster__AdvertisedAddress"));
            Assert.Equal("$(POD_NAME)", Env(silo, "Fleet__Cluster__SiloName"));
            Assert.Equal("Redis", Env(silo, "Fleet__Cluster__Clustering"));
            var shutdown = TimeSpan.Parse(Env(silo, "Fleet__Cluster__ShutdownTimeout"), CultureInfo.InvariantCulture);
            Assert.True(pod.TerminationGracePeriodSeconds > shutdown.TotalSeconds, $"grace period {pod.TerminationGracePeriodSeconds} s is not longer than the shutdown timeout {shutdown}");
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.True(silo.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(silo.SecurityContext.AllowPrivilegeEscalation);
            // No CPU limit unless the values set one (only the autoscaling test's do): requests size Orleans and the GC.
            Assert.Equal(valuesFile == "autoscaling-values.yaml", silo.Resources.Limits?.ContainsKey("cpu") ?? false);
        }
    }

    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void CoreAndModelSilos_HaveTheirRoles_InOneCluster(string valuesFile)
    {
        var chart = RenderedChart.From(valuesFile);
        var core = Silo(chart.Silos("core"));
        Assert.Equal("false", Env(core, "Fleet__Cluster__HostsModels"));
        if (chart.SilosOrNone("models") is { } models)
        {
            var model = Silo(models);
            Assert.Equal("true", Env(model, "Fleet__Cluster__HostsModels"));
            Assert.Equal("false", Env(model, "Fleet__Sources__RedisStreams__Enabled")); // model silos ingest nothing
            Assert.Equal(Env(core, "Fleet__Cluster__ClusterId"), Env(model, "Fleet__Cluster__ClusterId"));
            Assert.Equal(Env(core, "Fleet__Cluster__ServiceId"), Env(model, "Fleet__Cluster__ServiceId"));
        }
    }

    [Fact]
    public void KafkaCoreSilos_ReadTheTopicWithTheSecretsUser_AndKedaScalesOnTheGroupsLag_WithTheSameUser()
    {
        var chart = RenderedChart.From("kafka-values.yaml");
        var core = Silo(chart.Silos("core"));
        Assert.Equal("false", Env(core, "Fleet__Sources__RedisStreams__Enabled"));
        Assert.Equal(("true", "telemetry", "SaslSsl", "Plain"), (Env(core, "Fleet__Sources__Kafka__Enabled"), Env(core, "Fleet__Sources__Kafka__Topic"), Env(core, "Fleet__Sources__Kafka__SecurityProtocol"), Env(core, "Fleet__Sources__Kafka__SaslMechanism")));
        Assert.Equal("eventhubs-kafka", core.Env.Single(e => e.Name == "Fleet__Sources__Kafka__SaslPassword").ValueFrom.SecretKeyRef.Name);
        if (chart.SilosOrNone("models") is { } models)
        {
            Assert.Equal("false", Env(Silo(models), "Fleet__Sources__Kafka__Enabled"));
        }

        var scaler = chart.Objects.OfType<ScaledObject>().Single(s => s.Spec.ScaleTargetRef.Name == chart.Silos("core").Metadata.Name);
        var kafka = scaler.Spec.Triggers.Single(t => t.Type == "kafka");
        Assert.Equal((Env(core, "Fleet__Sources__Kafka__BootstrapServers"), "fleetgrains", "telemetry"), (kafka.Metadata["bootstrapServers"], kafka.Metadata["consumerGroup"], kafka.Metadata["topic"]));
        Assert.Equal(("plaintext", "enable"), (kafka.Metadata["sasl"], kafka.Metadata["tls"]));
        var authentication = chart.Objects.OfType<TriggerAuthentication>().Single(a => a.Metadata.Name == kafka.AuthenticationRef!.Name);
        Assert.Equal(["password", "username"], authentication.Spec.SecretTargetRef.Select(r => r.Parameter).Order());
        Assert.All(authentication.Spec.SecretTargetRef, r => Assert.Equal("eventhubs-kafka", r.Name));
    }

    [Fact]
    public void EventHubsCoreSilos_SignInWithWorkloadIdentity_AndTheirLagIsWhatKedaScalesOn()
    {
        var chart = RenderedChart.From("eventhubs-values.yaml");
        var core = chart.Silos("core");
        var silo = Silo(core);
        Assert.Equal(("false", "true"), (Env(silo, "Fleet__Sources__RedisStreams__Enabled"), Env(silo, "Fleet__Sources__EventHubs__Enabled")));
        Assert.Equal(("fleet-telemetry.servicebus.windows.net", "telemetry", "WorkloadIdentity"), (Env(silo, "Fleet__Sources__EventHubs__FullyQualifiedNamespace"), Env(silo, "Fleet__Sources__EventHubs__EventHubName"), Env(silo, "Fleet__Sources__EventHubs__Credential")));
        Assert.Equal("false", Env(silo, "Fleet__Sources__EventHubs__DisableInstanceDiscovery"));
        Assert.Equal("true", core.Spec.Template.Metadata.Labels["azure.workload.identity/use"]);
        Assert.DoesNotContain(silo.Env, e => e.Name == "Fleet__Sources__EventHubs__ConnectionString");
        if (chart.SilosOrNone("models") is { } models)
        {
            Assert.Equal("false", Env(Silo(models), "Fleet__Sources__EventHubs__Enabled"));
            Assert.False(models.Spec.Template.Metadata.Labels.ContainsKey("azure.workload.identity/use"));
        }

        // KEDA's azure-eventhub scaler reads checkpoints from Blob Storage only; the silos' own lag is the trigger.
        var scaler = chart.Objects.OfType<ScaledObject>().Single(s => s.Spec.ScaleTargetRef.Name == core.Metadata.Name);
        Assert.Contains("fleet_source_lag", Assert.Single(scaler.Spec.Triggers).Metadata["query"], StringComparison.Ordinal);
    }

    [Fact]
    public void EventHubsByConnectionString_ReadsItFromTheSecret_AndNeedsNoWorkloadIdentity()
    {
        var chart = RenderedChart.From("everything-values.yaml");
        var core = chart.Silos("core");
        var connectionString = Silo(core).Env.Single(e => e.Name == "Fleet__Sources__EventHubs__ConnectionString");
        Assert.Equal(("fleetgrains-eventhubs", "connectionString"), (connectionString.ValueFrom.SecretKeyRef.Name, connectionString.ValueFrom.SecretKeyRef.Key));
        Assert.False(core.Spec.Template.Metadata.Labels.ContainsKey("azure.workload.identity/use"));
    }

    [Fact]
    public void GpuModelSilos_RequestAGpu_RunTheGpuImage_AndTheCudaProvider_OnGpuNodes()
    {
        var chart = RenderedChart.From("gpu-values.yaml");
        var models = chart.Silos("models");
        var silo = Silo(models);

        Assert.Equal("1", silo.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.EndsWith("-gpu", silo.Image);
        Assert.Equal("Cuda", Env(silo, "Fleet__Inference__ExecutionProvider"));
        Assert.Contains(models.Spec.Template.Spec.Tolerations, t => t.Key == "nvidia.com/gpu");
        Assert.DoesNotContain("-gpu", Silo(chart.Silos("core")).Image);
    }

    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void DisruptionBudgetsAndServices_SelectTheRightPods(string valuesFile)
    {
        var chart = RenderedChart.From(valuesFile);
        foreach (var pdb in chart.Objects.OfType<V1PodDisruptionBudget>())
        {
            Assert.Equal([pdb.Metadata.Name], chart.Selected(pdb.Spec.Selector.MatchLabels));
        }

        foreach (var service in chart.Objects.OfType<V1Service>())
        {
            Assert.NotEmpty(chart.Selected(service.Spec.Selector));
        }

        var api = chart.Objects.OfType<V1Service>().Single(s => s.Metadata.Name == "fleet-fleetgrains");
        Assert.Equal([chart.Silos("core").Metadata.Name], chart.Selected(api.Spec.Selector));
    }

    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void Autoscaling_TargetsTheSilos_OnMetricsTheSilosExport_OnePodAtATime(string valuesFile)
    {
        var chart = RenderedChart.From(valuesFile);
        var deployments = chart.Deployments.Select(d => d.Metadata.Name).ToHashSet();
        var exported = new Dictionary<string, string>
        {
            ["core"] = Prometheus(IngestionMetrics.LagGauge),
            ["models"] = Prometheus(InferenceMetrics.QueuedRowsGauge),
        };
        foreach (var scaled in chart.Objects.OfType<ScaledObject>())
        {
            Assert.Contains(scaled.Spec.ScaleTargetRef.Name, deployments);
            var role = scaled.Spec.ScaleTargetRef.Name.EndsWith("-core", StringComparison.Ordinal) ? "core" : "models";
            // One Prometheus trigger on the silos' own metric; KEDA's kafka trigger beside it only where asked for (its own test).
            var trigger = Assert.Single(scaled.Spec.Triggers, t => t.Type == "prometheus");
            Assert.All(scaled.Spec.Triggers, t => Assert.True(t.Type == "prometheus" || (t.Type == "kafka" && role == "core"), $"unexpected {t.Type} trigger on {role}"));
            Assert.StartsWith($"sum({exported[role]}{{", trigger.Metadata["query"]);
            Assert.True(double.Parse(trigger.Metadata["threshold"], CultureInfo.InvariantCulture) > 0);
            AssertOnePodAtATime(scaled.Spec.Advanced!.HorizontalPodAutoscalerConfig!.Behavior!);
            Assert.Null(chart.Deployments.Single(d => d.Metadata.Name == scaled.Spec.ScaleTargetRef.Name).Spec.Replicas); // the autoscaler owns it
        }

        foreach (var hpa in chart.Objects.OfType<V2HorizontalPodAutoscaler>())
        {
            Assert.Contains(hpa.Spec.ScaleTargetRef.Name, deployments);
            AssertOnePodAtATime(hpa.Spec.Behavior);
        }
    }

    [Fact]
    public void TheServiceMonitor_ScrapesEverySilosMetricsEndpoint()
    {
        var chart = RenderedChart.From("everything-values.yaml");
        var monitor = Assert.Single(chart.Objects.OfType<ServiceMonitor>());
        var service = chart.Objects.OfType<V1Service>().Single(s => RenderedChart.Selects(monitor.Spec.Selector.MatchLabels, s.Metadata.Labels));

        Assert.Equal(FleetHostingExtensions.MetricsPath, Assert.Single(monitor.Spec.Endpoints).Path);
        Assert.Equal(chart.Deployments.Select(d => d.Metadata.Name).Order(), chart.Selected(service.Spec.Selector).Order());
    }

    [Fact]
    public void SecuredLinks_TakeTheirFilesFromSecretsMountedReadOnly_AndTheirPasswordsFromSecrets()
    {
        var chart = RenderedChart.From("secured-links-values.yaml");
        foreach (var deployment in chart.Deployments)
        {
            var pod = deployment.Spec.Template.Spec;
            var silo = Silo(deployment);
            var files = silo.Env.Where(e => e.Value?.StartsWith(SiloConfiguration.MountedSecrets, StringComparison.Ordinal) == true).ToList();
            foreach (var file in files)
            {
                var mount = Assert.Single(silo.VolumeMounts, m => file.Value.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
                Assert.True(mount.ReadOnlyProperty, $"{mount.Name} is writable");
                var secret = pod.Volumes.Single(v => v.Name == mount.Name).Secret;
                Assert.Contains(Path.GetFileName(file.Value), secret.Items.Select(i => i.Path));
            }

            var core = deployment.Metadata.Name.EndsWith("-core", StringComparison.Ordinal);
            Assert.Equal(
                core ? ["Fleet__Cluster__Tls__CaFile", "Fleet__Cluster__Tls__CertificateFile", "Fleet__Cluster__Tls__KeyFile", "Fleet__Redis__TlsCaFile", "Fleet__Sources__Mqtt__TlsCaFile"]
                     : ["Fleet__Cluster__Tls__CaFile", "Fleet__Cluster__Tls__CertificateFile", "Fleet__Cluster__Tls__KeyFile", "Fleet__Redis__TlsCaFile"],
                files.Select(f => f.Name).Order(StringComparer.Ordinal));
            Assert.Equal("fleetgrains-cluster-tls", pod.Volumes.Single(v => v.Name == "cluster-tls").Secret.SecretName);
            Assert.Equal(Convert.ToInt32("440", 8), pod.Volumes.Single(v => v.Name == "cluster-tls").Secret.DefaultMode);
            if (core)
            {
                foreach (var (variable, key) in new[] { ("Fleet__Sources__Mqtt__Username", "username"), ("Fleet__Sources__Mqtt__Password", "password") })
                {
                    var reference = silo.Env.Single(e => e.Name == variable).ValueFrom.SecretKeyRef;
                    Assert.Equal(("fleetgrains-mqtt", key), (reference.Name, reference.Key));
                }
            }
        }
    }

    private static void AssertOnePodAtATime(V2HorizontalPodAutoscalerBehavior behavior)
    {
        Assert.All(behavior.ScaleUp.Policies.Concat(behavior.ScaleDown.Policies), p => Assert.Equal(("Pods", 1), (p.Type, p.Value)));
        Assert.True(behavior.ScaleDown.StabilizationWindowSeconds > 0);
    }

    // OpenTelemetry's Prometheus exporter: dashes become underscores (gauges keep their name).
    private static string Prometheus(string instrument) => instrument.Replace('-', '_');

    private static V1Container Silo(V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "silo");

    private static string Env(V1Container container, string name) => container.Env.Single(e => e.Name == name).Value;
}
