using System.Security.Claims;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleetGrains.Silo.Api;

public static class FleetEndpoints
{
    public const int MaxPageSize = 1000;
    public const int MaxDepth = 10_000;
    public const int MaxSearchLength = 128;

    public static RouteGroupBuilder MapFleetEndpoints(this RouteGroupBuilder api)
    {
        var fleets = api.MapGroup("/fleets").WithTags("Fleets");
        fleets.MapGet("/", ListFleetsAsync).RequireAuthorization(FleetPolicies.SignedIn).WithName("ListFleets").WithSummary("Every fleet the caller may view, with its device counts per health state");
        fleets.MapGet("/{fleetId}", GetFleetAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("GetFleet").WithSummary("A fleet's rollup: counts, worst devices, offline devices");
        fleets.MapGet("/{fleetId}/devices", ListDevicesAsync).RequireAuthorization(FleetPolicies.Viewer).WithName("ListFleetDevices").WithSummary("A fleet's devices, filtered by state and id (?search=part of the id), sorted, paged");
        fleets.MapGet("/{fleetId}/live", FollowFleet).RequireAuthorization(FleetPolicies.Viewer).WithName("FollowFleet").WithSummary("The fleet's rollup as server-sent events (event 'rollup'): sent when it changes, and at least every Fleet:Api:LiveHeartbeat");
        return api;
    }

    public static async Task<Ok<FleetSummary[]>> ListFleetsAsync(IGrainFactory grains, ClaimsPrincipal user)
    {
        var fleetIds = (await grains.GetGrain<IFleetDirectoryGrain>(0).ListAsync()).Where(user.MayView);
        var rollups = await Task.WhenAll(fleetIds.Select(id => grains.GetGrain<IFleetGrain>(id).GetRollupAsync()));
        return TypedResults.Ok(rollups.Select(FleetSummary.From).ToArray());
    }

    public static async Task<Results<Ok<FleetRollup>, ProblemHttpResult, ValidationProblem>> GetFleetAsync(
        string fleetId, IGrainFactory grains)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        if (!await grains.GetGrain<IFleetDirectoryGrain>(0).ContainsAsync(fleetId))
        {
            return ApiProblems.UnknownFleet(fleetId);
        }

        return TypedResults.Ok(await grains.GetGrain<IFleetGrain>(fleetId).GetRollupAsync());
    }

    public static async Task<Results<ServerSentEventsResult<FleetRollup>, ProblemHttpResult, ValidationProblem>> FollowFleet(
        string fleetId, IGrainFactory grains, IOptions<ApiOptions> options, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        if (!await grains.GetGrain<IFleetDirectoryGrain>(0).ContainsAsync(fleetId))
        {
            return ApiProblems.UnknownFleet(fleetId);
        }

        var fleet = grains.GetGrain<IFleetGrain>(fleetId);
        return TypedResults.ServerSentEvents(LiveFeed.FollowAsync<FleetRollup>(
            async () => await fleet.GetRollupAsync(), "rollup", options.Value, json.Value.SerializerOptions, time, cancellationToken));
    }

    /// <summary>Asks every shard for its first offset + limit devices in the requested order, then merges.</summary>
    public static async Task<Results<Ok<DevicePage>, ProblemHttpResult, ValidationProblem>> ListDevicesAsync(
        string fleetId,
        IGrainFactory grains,
        IOptions<RollupOptions> rollup,
        string? state = null,
        string? sort = null,
        string? search = null,
        int offset = 0,
        int limit = 50)
    {
        if (ApiProblems.CheckIds(fleetId) is { } invalid)
        {
            return invalid;
        }

        HealthState? health = null;
        if (state is not null)
        {
            if (!Enum.TryParse<HealthState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return ApiProblems.Invalid("state", $"'{state}' is not a health state; use one of {string.Join(", ", Enum.GetNames<HealthState>())}.");
            }

            health = parsed;
        }

        var order = DeviceSortOrder.Severity;
        if (sort is not null && (!Enum.TryParse(sort, ignoreCase: true, out order) || !Enum.IsDefined(order)))
        {
            return ApiProblems.Invalid("sort", $"'{sort}' is not a sort order; use one of {string.Join(", ", Enum.GetNames<DeviceSortOrder>())}.");
        }

        if (search is not null && (search.Length > MaxSearchLength || search.Any(char.IsControl)))
        {
            return ApiProblems.Invalid("search", $"search is part of a device id: at most {MaxSearchLength} characters, no control characters.");
        }

        if (offset < 0 || limit is < 1 or > MaxPageSize || offset > MaxDepth - limit)
        {
            return ApiProblems.Invalid("limit", $"offset must be ≥ 0, limit between 1 and {MaxPageSize}, and offset + limit at most {MaxDepth}.");
        }

        if (!await grains.GetGrain<IFleetDirectoryGrain>(0).ContainsAsync(fleetId))
        {
            return ApiProblems.UnknownFleet(fleetId);
        }

        var query = new DeviceQuery(health, order, 0, offset + limit, string.IsNullOrWhiteSpace(search) ? null : search.Trim());
        var pages = await Task.WhenAll(Enumerable.Range(0, rollup.Value.ShardsPerFleet).Select(shard =>
            grains.GetGrain<IFleetShardGrain>(FleetKeys.Shard(fleetId, shard)).GetDevicesAsync(query)));
        var devices = pages.SelectMany(p => p.Devices).Order(DeviceStatusOrdering.For(order)).Skip(offset).Take(limit).ToList();
        return TypedResults.Ok(new DevicePage(pages.Sum(p => p.Total), offset, devices));
    }
}
