using System.Diagnostics;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using FleetGrains.Silo.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FleetGrains.LoadTests.Density;

/// <summary>How long one page of a fleet's device list takes (what the dashboard's devices page asks), median of three.</summary>
public sealed record PagingTiming(string Query, double Milliseconds, int Returned, int Total);

/// <summary>
/// Times the device list of the density run's fleet through the API's own query (every shard cuts its first
/// offset + limit devices in the requested order, the silo merges them): the first page in each order, the deepest
/// page the API allows, a search by id and a state filter, 50 devices a page.
/// </summary>
public static class DevicePagingProbe
{
    private const int PageSize = 50;

    public static async Task<IReadOnlyList<PagingTiming>> MeasureAsync(ScenarioSilo silo, string fleetId, int devices, string lastDeviceId)
    {
        var rollup = silo.Service<IOptions<RollupOptions>>();
        var fleet = silo.Grains.GetGrain<IFleetGrain>(fleetId);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((await fleet.GetRollupAsync()).DeviceCount < devices)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The shards of {fleetId} did not count its {devices} devices within 2 minutes.");
            }

            await Task.Delay(200);
        }

        var queries = new (string Name, string? State, string Sort, string? Search, int Offset)[]
        {
            ("first page by severity", null, "Severity", null, 0),
            ("first page by id", null, "DeviceId", null, 0),
            ("first page by last seen", null, "LastSeen", null, 0),
            ($"deepest page by id (offset {FleetEndpoints.MaxDepth - PageSize:N0})", null, "DeviceId", null, FleetEndpoints.MaxDepth - PageSize),
            ("search by id (one match)", null, "DeviceId", lastDeviceId, 0),
            ("state Unknown, by severity", "Unknown", "Severity", null, 0),
        };
        var timings = new List<PagingTiming>();
        foreach (var (name, state, sort, search, offset) in queries)
        {
            var times = new List<double>();
            DevicePage? page = null;
            for (var i = 0; i < 3; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await FleetEndpoints.ListDevicesAsync(fleetId, silo.Grains, rollup, state, sort, search, offset, PageSize);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                page = (result.Result as Ok<DevicePage>)?.Value ?? throw new InvalidOperationException($"{name}: the query was refused ({result.Result}).");
            }

            timings.Add(new PagingTiming(name, times.Order().ElementAt(1), page!.Devices.Count, page.Total));
        }

        return timings;
    }
}
