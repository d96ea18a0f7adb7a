using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Webhooks;

/// <summary>How webhooks are delivered; bound from <c>Fleet:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Fleet:Webhooks";

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The pause after a webhook's first failure; it doubles with every failure in a row, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts of one notification before it is given up (counted in the webhook's failures).</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Notifications waiting for one webhook at most; a new one beyond it is dropped (counted as failed).</summary>
    public int MaxPending { get; set; } = 1000;

    /// <summary>Webhooks of one fleet at most.</summary>
    public int MaxPerFleet { get; set; } = 20;
}

public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions o)
    {
        var failures = new List<string>();
        if (o.Timeout <= TimeSpan.Zero || o.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{WebhookOptions.Section}:Timeout must be positive and at most 5 minutes (was {o.Timeout}).");
        }

        if (o.RetryDelay <= TimeSpan.Zero || o.MaxRetryDelay < o.RetryDelay)
        {
            failures.Add($"{WebhookOptions.Section}:RetryDelay must be positive and MaxRetryDelay at least RetryDelay (were {o.RetryDelay}, {o.MaxRetryDelay}).");
        }

        if (o.MaxAttempts is < 1 or > 1000 || o.MaxPending is < 1 or > 100_000 || o.MaxPerFleet is < 1 or > 1000)
        {
            failures.Add($"{WebhookOptions.Section}: MaxAttempts must be between 1 and 1000, MaxPending between 1 and 100000, MaxPerFleet between 1 and 1000 (were {o.MaxAttempts}, {o.MaxPending}, {o.MaxPerFleet}).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
