using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Models;

/// <summary>Which models each fleet starts with, and how often silos look for a switch; bound from <c>Fleet:Models</c>.</summary>
public sealed class ModelRegistryOptions
{
    public const string Section = "Fleet:Models";

    /// <summary>By fleet id. A fleet not listed is scored by the statistical scorer and has no RUL estimates.</summary>
    public Dictionary<string, FleetModelSettings> Fleets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a silo keeps a fleet's assignment before asking again: the longest a switch takes to reach every device.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A fleet's models as <c>{id}@{version}</c> keys, e.g. <c>smd-machine-1-2-autoencoder@1</c>.</summary>
public sealed class FleetModelSettings
{
    public string? Anomaly { get; set; }

    public string? Rul { get; set; }
}

public sealed class ModelRegistryOptionsValidator : IValidateOptions<ModelRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelRegistryOptions o)
    {
        var failures = new List<string>();
        if (o.RefreshInterval <= TimeSpan.Zero)
        {
            failures.Add($"{ModelRegistryOptions.Section}:RefreshInterval must be positive (was {o.RefreshInterval}).");
        }

        foreach (var (fleetId, settings) in o.Fleets)
        {
            foreach (var (role, key) in new[] { ("Anomaly", settings.Anomaly), ("Rul", settings.Rul) })
            {
                if (key is not null && !TryParse(key))
                {
                    failures.Add($"{ModelRegistryOptions.Section}:Fleets:{fleetId}:{role} '{key}' is not a model key of the form {{id}}@{{version}}.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool TryParse(string key)
    {
        try
        {
            ModelRef.Parse(key);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
