using System.Security.Claims;
using FleetGrains.Ingestion;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

public static class TelemetryEndpoints
{
    public static RouteGroupBuilder MapTelemetryEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/telemetry", IngestAsync)
            .RequireAuthorization(FleetPolicies.Ingest)
            .WithName("IngestTelemetry")
            .WithSummary("Ingest a JSON array or NDJSON of telemetry events, or a binary batch (telemetry_batch.proto), each event for a fleet the caller may ingest for")
            .Accepts<string>("application/json", "application/x-ndjson", BinaryBatchDecoder.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    /// <summary>
    /// 202 with what happened to every event once the device grains answered; valid events are kept even
    /// when others in the batch are rejected. 400 when nothing in the body could be accepted, 413 when the
    /// body is too large, 503 with Retry-After when some device grains could not be reached (resending is safe).
    /// </summary>
    public static async Task<Results<Accepted<IngestReport>, ProblemHttpResult>> IngestAsync(
        HttpRequest request, TelemetryPipeline pipeline, IOptions<IngestionOptions> options, IOptions<ApiOptions> api, CancellationToken cancellationToken)
    {
        var (batch, problem) = await ReadBatchAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var decoded = batch!;
        if (batch!.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No events", detail: "The body contains no events.");
        }

        RejectOtherFleets(batch, request.HttpContext.User);

        if (await pipeline.TryIngestAsync(batch, source: "http") is not { } report)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)options.Value.BusyRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Silo busy",
                detail: $"This silo has its most telemetry events in flight ({IngestionOptions.Section}:MaxEventsInFlight); none of these {batch.Count} events was applied. Send them again after Retry-After, or to another silo.");
        }

        if (report.Failed > 0)
        {
            request.HttpContext.Response.Headers.RetryAfter = api.Value.RetryAfterHeader;
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Some events were not applied",
                detail: $"{report.Failed} valid events could not be applied because their device grains did not answer; resending the batch is safe.",
                extensions: ReportExtensions(report));
        }

        if (report.Accepted == 0 && report.Duplicates == 0)
        {
            var first = report.Errors[0];
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "No valid events",
                detail: $"None of the {report.Rejected} events was valid; the first problem: event {first.Index}: {first.Reason}.",
                extensions: ReportExtensions(report));
        }

        return TypedResults.Accepted((string?)null, report);
    }

    // A gateway of one fleet cannot write another's devices: such events are rejected one by one, the rest applied.
    private static void RejectOtherFleets(DecodedBatch batch, ClaimsPrincipal user)
    {
        var mayIngest = new Dictionary<string, bool>(StringComparer.Ordinal);
        batch.Events.RemoveAll(item =>
        {
            if (item.Event.FleetId is not { } fleet)
            {
                return false; // the validator says what is wrong with it
            }

            if (!mayIngest.TryGetValue(fleet, out var allowed))
            {
                allowed = mayIngest[fleet] = user.Has(FleetRole.Ingest, fleet); // a closure here would be one per event
            }

            if (!allowed)
            {
                batch.Rejections.Add(new EventRejection(item.Index, $"the credential may not ingest for fleet '{fleet}'"));
            }

            return !allowed;
        });
    }

    // The decoded events keep no reference to the body, so its pooled memory goes back before the grains are called.
    private static async Task<(DecodedBatch? Batch, ProblemHttpResult? Problem)> ReadBatchAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The body exceeds the limit of {maxBytes} bytes ({IngestionOptions.Section}:MaxBodyBytes); split the batch."));
        }

        try
        {
            var batch = BinaryBatchDecoder.IsBinary(request.ContentType) ? BinaryBatchDecoder.Decode(body.Memory) : TelemetryDecoder.Decode(body.Span);
            return (batch, null);
        }
        catch (TelemetryFormatException ex)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed telemetry", detail: ex.Message));
        }
    }

    private static Dictionary<string, object?> ReportExtensions(IngestReport report) => new()
    {
        ["accepted"] = report.Accepted,
        ["duplicates"] = report.Duplicates,
        ["rejected"] = report.Rejected,
        ["failed"] = report.Failed,
        ["errors"] = report.Errors,
    };
}
