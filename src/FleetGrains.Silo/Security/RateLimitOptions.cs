using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Security;

/// <summary>How many requests one credential may make per window; bound from <c>Fleet:Security:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Fleet:Security:RateLimits";

    /// <summary>Telemetry requests (each a batch of events) per credential per window.</summary>
    public int IngestPerWindow { get; set; } = 5_000;

    /// <summary>Every other API request per credential per window.</summary>
    public int ApiPerWindow { get; set; } = 500;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions o)
    {
        var failures = new List<string>();
        if (o.IngestPerWindow < 1 || o.ApiPerWindow < 1)
        {
            failures.Add($"{RateLimitOptions.Section}:IngestPerWindow and ApiPerWindow must be at least 1 (were {o.IngestPerWindow} and {o.ApiPerWindow}).");
        }

        if (o.Window < TimeSpan.FromMilliseconds(100) || o.Window > TimeSpan.FromHours(1))
        {
            failures.Add($"{RateLimitOptions.Section}:Window must be between 100 ms and 1 hour (was {o.Window}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
