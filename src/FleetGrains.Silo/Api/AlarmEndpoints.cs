using System.Security.Claims;
using FleetGrains.Abstractions;
using FleetGrains.Silo.Audit;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>A fleet's alarms (its devices' anomaly episodes): listed and counted, followed live, acknowledged and cleared.</summary>
public static class AlarmEndpoints
{
    public const int MaxCommentLength = 500;
    private const int MaxBodyBytes = 4096;
    private const string Usage = """Send {"comment": "why"} (the comment is optional, at most 500 characters).""";

    public static RouteGroupBuilder MapAlarmEndpoints(this RouteGroupBuilder api)
    {
        var alarms = api.MapGroup("/fleets/{fleetId}/anomalies").WithTags("Alarms");
        alarms.MapGet("/", ListAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("ListFleetAnomalies")
            .WithSummary("A fleet's alarm episodes (one per incident: start, peak, end, contributors, acknowledgement, clearing), the most recently raised first, filtered by ?status=, ?severity=, ?deviceId=, paged; with counts by status and severity");
        alarms.MapGet("/live", FollowAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("FollowFleetAnomalies")
            .WithSummary("The first page of the fleet's alarms with their counts, as server-sent events (event 'alarms') when they change");
        alarms.MapPost("/{deviceId}/{startSeq:long}/acknowledge", AcknowledgeAsync).RequireAuthorization(FleetPolicies.Operator).WithName("AcknowledgeAnomaly")
            .WithSummary("An operator saw the alarm: who and when are kept with it, with an optional comment").Accepts<AlarmRequest>("application/json");
        alarms.MapPost("/{deviceId}/{startSeq:long}/clear", ClearAsync).RequireAuthorization(FleetPolicies.Operator).WithName("ClearAnomaly")
            .WithSummary("An operator dealt with the alarm: it leaves the active ones; who, when and the comment are kept").Accepts<AlarmRequest>("application/json");
        return api;
    }

    public static async Task<Results<Ok<AnomalyPage>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string fleetId, IGrainFactory grains, string? status = null, string? severity = null, string? deviceId = null, int offset = 0, int limit = 50)
    {
        var (query, invalid, unknown) = await ParseAsync(fleetId, grains, status, severity, deviceId, offset, limit);
        if (query is null)
        {
            return invalid is not null ? invalid : unknown!;
        }

        return TypedResults.Ok(await grains.GetGrain<IFleetAnomaliesGrain>(fleetId).QueryAsync(query));
    }

    public static async Task<Results<ServerSentEventsResult<AnomalyPage>, ProblemHttpResult, ValidationProblem>> FollowAsync(
        string fleetId, IGrainFactory grains, IOptions<ApiOptions> options, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken,
        string? status = null, string? severity = null, string? deviceId = null, int limit = 50)
    {
        var (query, invalid, unknown) = await ParseAsync(fleetId, grains, status, severity, deviceId, 0, limit);
        if (query is null)
        {
            return invalid is not null ? invalid : unknown!;
        }

        var log = grains.GetGrain<IFleetAnomaliesGrain>(fleetId);
        return TypedResults.ServerSentEvents(LiveFeed.FollowAsync<AnomalyPage>(
            async () => await log.QueryAsync(query), "alarms", options.Value, json.Value.SerializerOptions, time, cancellationToken));
    }

    public static Task<Results<Ok<AnomalyEpisode>, ProblemHttpResult, ValidationProblem>> AcknowledgeAsync(
        string fleetId, string deviceId, long startSeq, HttpContext http, IGrainFactory grains, AuditTrail audit, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken) =>
        ActAsync(fleetId, deviceId, startSeq, http, audit, json, time, "acknowledged", (log, action) => log.AcknowledgeAsync(deviceId, startSeq, action), grains, cancellationToken);

    public static Task<Results<Ok<AnomalyEpisode>, ProblemHttpResult, ValidationProblem>> ClearAsync(
        string fleetId, string deviceId, long startSeq, HttpContext http, IGrainFactory grains, AuditTrail audit, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken) =>
        ActAsync(fleetId, deviceId, startSeq, http, audit, json, time, "cleared", (log, action) => log.ClearAsync(deviceId, startSeq, action), grains, cancellationToken);

    private static async Task<Results<Ok<AnomalyEpisode>, ProblemHttpResult, ValidationProblem>> ActAsync(
        string fleetId, string deviceId, long startSeq, HttpContext http, AuditTrail audit, IOptions<JsonOptions> json, TimeProvider time, string done,
        Func<IFleetAnomaliesGrain, AlarmAction, Task<AlarmActionOutcome>> act, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId, deviceId) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await JsonBody.ReadAsync<AlarmRequest>(http.Request, MaxBodyBytes, json.Value.SerializerOptions, Usage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var comment = string.IsNullOrWhiteSpace(body?.Comment) ? null : body.Comment.Trim();
        if (comment is not null && (comment.Length > MaxCommentLength || comment.Any(c => char.IsControl(c) && c != '\n')))
        {
            return ApiProblems.Invalid("comment", $"A comment is at most {MaxCommentLength} characters, without control characters other than line breaks.");
        }

        var log = grains.GetGrain<IFleetAnomaliesGrain>(fleetId);
        var action = new AlarmAction(http.User.Identity?.Name ?? http.User.Credential() ?? "unknown", time.GetUtcNow(), comment);
        var outcome = await act(log, action);
        switch (outcome.Refusal)
        {
            case AlarmActionRefusal.Unknown:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown alarm",
                    detail: $"Fleet '{fleetId}' keeps no alarm of device '{deviceId}' that started at sequence number {startSeq}.");
            case AlarmActionRefusal.AlreadyDone:
                var earlier = outcome.Episode!.Cleared ?? outcome.Episode.Acknowledged!;
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Already {done}",
                    detail: $"This alarm was already {(outcome.Episode.Cleared is null ? "acknowledged" : "cleared")} by {earlier.By} at {earlier.At:u}.");
        }

        await audit.RecordAsync(http, fleetId, deviceId, $"{deviceId}@{startSeq}", null, action);
        return TypedResults.Ok(outcome.Episode!);
    }

    /// <summary>The query, or why there is none: a bad parameter (400) or an unknown fleet (404).</summary>
    private static async Task<(AnomalyQuery? Query, ValidationProblem? Invalid, ProblemHttpResult? Unknown)> ParseAsync(
        string fleetId, IGrainFactory grains, string? status, string? severity, string? deviceId, int offset, int limit)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return (null, invalid, null);
        }

        AlarmStatus? wantedStatus = null;
        if (status is not null)
        {
            if (!Enum.TryParse<AlarmStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || status.Any(char.IsDigit))
            {
                return (null, ApiProblems.Invalid("status", $"'{status}' is not an alarm status; use one of {string.Join(", ", Enum.GetNames<AlarmStatus>())}."), null);
            }

            wantedStatus = parsed;
        }

        HealthState? wantedSeverity = null;
        if (severity is not null)
        {
            if (!Enum.TryParse<HealthState>(severity, ignoreCase: true, out var parsed) || parsed is not (HealthState.Warning or HealthState.Critical) || severity.Any(char.IsDigit))
            {
                return (null, ApiProblems.Invalid("severity", $"'{severity}' is not an alarm severity; use Warning or Critical."), null);
            }

            wantedSeverity = parsed;
        }

        if (deviceId is not null && ApiProblems.CheckIds(fleetId, deviceId) is { } badDevice)
        {
            return (null, badDevice, null);
        }

        if (offset < 0 || limit is < 1 or > FleetEndpoints.MaxPageSize)
        {
            return (null, ApiProblems.Invalid("limit", $"offset must be ≥ 0 and limit between 1 and {FleetEndpoints.MaxPageSize}."), null);
        }

        if (!await grains.GetGrain<IFleetDirectoryGrain>(0).ContainsAsync(fleetId))
        {
            return (null, null, ApiProblems.UnknownFleet(fleetId));
        }

        return (new AnomalyQuery(offset, limit, wantedStatus, wantedSeverity, deviceId), null, null);
    }
}
