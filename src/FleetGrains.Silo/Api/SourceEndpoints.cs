using FleetGrains.Ingestion.DeadLetters;
using FleetGrains.Ingestion.EventHubs;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.Ingestion.RedisStreams;
using FleetGrains.Ingestion.Sources;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

/// <summary>What the ingestion sources did (counters, Redis Streams partitions) and the input they could not use.</summary>
public static class SourceEndpoints
{
    public const int MaxDeadLetters = 10_000;

    public static RouteGroupBuilder MapSourceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/sources", GetSourcesAsync).RequireAuthorization(FleetPolicies.ClusterAdmin).WithTags("Sources").WithName("GetSources")
            .WithSummary("Events per source and outcome; each Redis Streams partition's owner, length, lag and pending entries; the Kafka and Event Hubs partitions this silo reads, with their lag");
        api.MapGet("/deadletters", GetDeadLettersAsync).RequireAuthorization(FleetPolicies.ClusterAdmin).WithTags("Sources").WithName("GetDeadLetters")
            .WithSummary("The newest dead letters: source, position, reason, payload");
        return api;
    }

    public static async Task<Ok<SourcesReport>> GetSourcesAsync(
        SourceCounters counters, RedisStreamInspector streams, KafkaReadState kafka, EventHubsReadState eventHubs, IOptions<SourcesOptions> options, ILocalSiloDetails silo)
    {
        var partitions = options.Value.RedisStreams.Enabled ? await streams.ReadAsync() : null;
        return TypedResults.Ok(new SourcesReport(silo.SiloAddress.ToParsableString(), await counters.ReadAsync(), counters.ReadThisSilo(), partitions)
        {
            Kafka = options.Value.Kafka.Enabled ? kafka.Partitions : null,
            EventHubs = options.Value.EventHubs.Enabled ? eventHubs.Partitions : null,
        });
    }

    public static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ValidationProblem>> GetDeadLettersAsync(IDeadLetterStore store, int? count, string? source)
    {
        var wanted = count ?? 100;
        if (wanted is < 1 or > MaxDeadLetters)
        {
            return ApiProblems.Invalid("count", $"count must be between 1 and {MaxDeadLetters} (was {wanted}).");
        }

        return TypedResults.Ok(await store.ReadAsync(wanted, source));
    }
}
