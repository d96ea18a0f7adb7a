using System.Reflection;
using FleetGrains.Silo.Hosting;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FleetGrains.Deploy.Tests;

/// <summary>
/// Holds a container's environment against the configuration the silo binds: every <c>Fleet__…</c> variable must
/// be bound by one of the silo's options classes (the binder refuses keys no property takes), and the result must
/// pass that class's validator — so a renamed or retyped option breaks the chart's test, not a deployment.
/// </summary>
public static class SiloConfiguration
{
    /// <summary>Where the chart mounts Secrets' files.</summary>
    public const string MountedSecrets = "/etc/fleetgrains/";

    private static readonly Lazy<string> MountedFile = new(Path.GetTempFileName);

    private static readonly Assembly[] SiloAssemblies =
    [
        typeof(FleetClusterOptions).Assembly,
        typeof(Grains.Devices.DeviceOptions).Assembly,
        typeof(Ingestion.IngestionOptions).Assembly,
        typeof(Inference.Onnx.InferenceOptions).Assembly,
    ];

    /// <summary>What is wrong with <paramref name="env"/> as silo configuration; empty when nothing is.</summary>
    public static List<string> Problems(IEnumerable<V1EnvVar> env)
    {
        var problems = new List<string>();
        var settings = new Dictionary<string, string?>();
        foreach (var variable in env.Where(v => v.Name.StartsWith("Fleet__", StringComparison.Ordinal)))
        {
            // Values the kubelet fills in: a pod IP, a pod name, a Secret's connection string (Redis, Event Hubs) or admin key, a file
            // of a mounted Secret (ChartRenderTests checks that it is mounted; here it must merely exist).
            var value = variable.ValueFrom switch
            {
                { SecretKeyRef.Key: "admin-key" } => "an-admin-key-of-48-characters-as-the-chart-makes",
                { SecretKeyRef.Key: "connectionString" } => "Endpoint=sb://fleet.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5;EntityPath=telemetry",
                not null => "redis:6379",
                null when variable.Value.StartsWith(MountedSecrets, StringComparison.Ordinal) => MountedFile.Value,
                null => variable.Value.Replace("$(POD_IP)", "10.1.2.3", StringComparison.Ordinal).Replace("$(POD_NAME)", "fleet-core-abc12", StringComparison.Ordinal),
            };
            settings[variable.Name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        foreach (var section in configuration.GetSection("Fleet").GetChildren())
        {
            var path = $"Fleet:{section.Key}";
            if (OptionsType(path) is not { } type)
            {
                problems.Add($"no options class of the silo binds {path}");
                continue;
            }

            try
            {
                var bound = section.Get(type, o => o.ErrorOnUnknownConfiguration = true)!;
                if (bound is Ingestion.Sources.SourcesOptions sources)
                {
                    sources.Redis ??= configuration["Fleet:Cluster:Redis"]; // as the silo host fills it in
                }

                problems.AddRange(Validate(type, bound).Select(f => $"{path}: {f}"));
            }
            catch (InvalidOperationException ex)
            {
                problems.Add($"{path}: {ex.Message}");
            }
        }

        return problems;
    }

    // The options class whose Section constant is the path.
    private static Type? OptionsType(string path) =>
        SiloAssemblies.SelectMany(a => a.GetTypes())
            .FirstOrDefault(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && (string?)field.GetValue(null) == path);

    private static IEnumerable<string> Validate(Type optionsType, object options)
    {
        var validatorInterface = typeof(IValidateOptions<>).MakeGenericType(optionsType);
        var validators = SiloAssemblies.SelectMany(a => a.GetTypes())
            .Where(t => validatorInterface.IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null);
        foreach (var validatorType in validators)
        {
            var result = (ValidateOptionsResult)validatorInterface.GetMethod("Validate")!.Invoke(Activator.CreateInstance(validatorType), [null, options])!;
            foreach (var failure in result.Failures ?? [])
            {
                yield return failure;
            }
        }
    }
}
