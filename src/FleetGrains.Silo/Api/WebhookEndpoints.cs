using FleetGrains.Abstractions;
using FleetGrains.Ingestion;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>A fleet's webhooks: configured by its admins, their delivery record visible to its operators.</summary>
public static class WebhookEndpoints
{
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 512;
    public const int MaxUrlLength = 2048;
    private const int MaxBodyBytes = 8192;
    private const string Usage = "Send {\"url\": \"https://…\", \"secret\": \"at least 16 characters\", \"events\": [\"AnomalyRaised\", \"AnomalyAcknowledged\", \"AnomalyCleared\", \"WorkOrderCreated\", \"DeviceOffline\"], \"minSeverity\": \"Warning\" or \"Critical\"}.";

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/fleets/{fleetId}/webhooks").WithTags("Webhooks");
        webhooks.MapGet("/", ListAsync).RequireAuthorization(FleetPolicies.Operator).WithName("ListWebhooks")
            .WithSummary("The fleet's webhooks (never their secrets) and their deliveries: waiting, delivered, failed, failures in a row, the last error");
        webhooks.MapPut("/{name}", PutAsync).RequireAuthorization(FleetPolicies.FleetAdmin).WithName("PutWebhook")
            .WithSummary("Add or replace a webhook: url, secret (HMAC-SHA256 signature of each delivery), events, minimum severity of alarm events")
            .Accepts<WebhookRequest>("application/json");
        webhooks.MapDelete("/{name}", DeleteAsync).RequireAuthorization(FleetPolicies.FleetAdmin).WithName("DeleteWebhook")
            .WithSummary("Remove a webhook and the notifications still waiting for it");
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<WebhookStatus>>, ValidationProblem>> ListAsync(string fleetId, IGrainFactory grains) =>
        ApiProblems.CheckIds(fleetId) is { } invalid
            ? invalid
            : TypedResults.Ok(await grains.GetGrain<IFleetWebhooksGrain>(fleetId).ListAsync());

    public static async Task<Results<Ok<WebhookStatus>, ProblemHttpResult, ValidationProblem>> PutAsync(
        string fleetId, string name, HttpContext http, IGrainFactory grains, AuditTrail audit, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (CheckName(fleetId, name) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await JsonBody.ReadAsync<WebhookRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = Validate(body, out var url);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var subscription = new WebhookSubscription(name, url!, body!.MinSeverity ?? HealthState.Warning, [.. body.Events!.Distinct()]);
        var webhooks = grains.GetGrain<IFleetWebhooksGrain>(fleetId);
        var before = (await webhooks.ListAsync()).FirstOrDefault(w => w.Subscription.Name == name)?.Subscription;
        try
        {
            var status = await webhooks.PutAsync(subscription, body.Secret!);
            await audit.RecordAsync(http, fleetId, null, $"webhook {name}", before, subscription);
            return TypedResults.Ok(status);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhooks", detail: ex.Message);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DeleteAsync(string fleetId, string name, HttpContext http, IGrainFactory grains, AuditTrail audit)
    {
        if (CheckName(fleetId, name) is { } invalid)
        {
            return invalid;
        }

        var webhooks = grains.GetGrain<IFleetWebhooksGrain>(fleetId);
        var before = (await webhooks.ListAsync()).FirstOrDefault(w => w.Subscription.Name == name)?.Subscription;
        if (before is null || !await webhooks.DeleteAsync(name))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown webhook", detail: $"Fleet '{fleetId}' has no webhook '{name}'.");
        }

        await audit.RecordAsync(http, fleetId, null, $"webhook {name}", before, null);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? CheckName(string fleetId, string name) =>
        ApiProblems.CheckIds(fleetId) ?? (TelemetryValidator.IsValidId(name)
            ? null
            : ApiProblems.Invalid("name", $"'{name}' is not a valid webhook name: 1-{TelemetryValidator.MaxIdLength} letters, digits, '-', '_', '.' or ':'."));

    private static Dictionary<string, string[]> Validate(WebhookRequest? body, out Uri? url)
    {
        var errors = new Dictionary<string, string[]>();
        url = null;
        if (body is null)
        {
            errors["url"] = [Usage];
            return errors;
        }

        if (body.Url is null || body.Url.Length > MaxUrlLength
            || !Uri.TryCreate(body.Url, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https") || url.IsFile || string.IsNullOrEmpty(url.Host))
        {
            errors["url"] = [$"url must be an absolute http or https address of at most {MaxUrlLength} characters."];
        }

        if (body.Secret is null || body.Secret.Length is < MinSecretLength or > MaxSecretLength || body.Secret.Any(char.IsControl))
        {
            errors["secret"] = [$"secret must be {MinSecretLength}-{MaxSecretLength} characters without control characters; deliveries are signed with it."];
        }

        if (body.Events is null || body.Events.Count == 0 || body.Events.Any(e => !Enum.IsDefined(e)))
        {
            errors["events"] = [$"events must name at least one of {string.Join(", ", Enum.GetNames<WebhookEvent>())}."];
        }

        if (body.MinSeverity is { } severity && severity is not (HealthState.Warning or HealthState.Critical))
        {
            errors["minSeverity"] = ["minSeverity is Warning or Critical."];
        }

        return errors;
    }
}
