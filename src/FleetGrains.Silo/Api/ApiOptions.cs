using System.Globalization;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>How the operator API rides out a cluster in motion; bound from <c>Fleet:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Fleet:Api";

    /// <summary>
    /// How long a read (GET) whose grain call failed transiently — its grain moving after a silo died — is tried
    /// again before the answer is 503. Short: an operator waits this long at most on top of the call itself.
    /// </summary>
    public TimeSpan TransientRetryBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The pause before the first retry; it doubles with every retry.</summary>
    public TimeSpan TransientRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The <c>Retry-After</c> of a 503 for a transient cluster failure: about how long a grain takes to move.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a live feed (server-sent events) reads its grain; a change reaches the page within about this.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A live feed sends its current value at least this often, changed or not, so that idle proxies keep it open.</summary>
    public TimeSpan LiveHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><see cref="RetryAfter"/> as the header carries it: whole seconds, rounded up.</summary>
    public string RetryAfterHeader => ((int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions o)
    {
        var failures = new List<string>();
        if (o.TransientRetryBudget < TimeSpan.Zero || o.TransientRetryBudget > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ApiOptions.Section}:TransientRetryBudget must be between 0 and 1 minute (was {o.TransientRetryBudget}).");
        }

        if (o.TransientRetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{ApiOptions.Section}:TransientRetryDelay must be positive (was {o.TransientRetryDelay}).");
        }

        if (o.LiveInterval < TimeSpan.FromMilliseconds(50) || o.LiveInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ApiOptions.Section}:LiveInterval must be between 50 ms and 1 minute (was {o.LiveInterval}).");
        }

        if (o.LiveHeartbeat < o.LiveInterval || o.LiveHeartbeat > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{ApiOptions.Section}:LiveHeartbeat must be between LiveInterval and 5 minutes (was {o.LiveHeartbeat}).");
        }

        if (o.RetryAfter < TimeSpan.FromSeconds(1) || o.RetryAfter > TimeSpan.FromHours(1))
        {
            failures.Add($"{ApiOptions.Section}:RetryAfter must be between 1 second and 1 hour (was {o.RetryAfter}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
